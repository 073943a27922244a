import TeamView from './team-view';

// Read at request time: the test serves one build against a different Tandem each run.
export const dynamic = 'force-dynamic';

export default function TeamPage() {
  // Where the browser reaches the BaaS (the Platform's URL when one process serves both). Only
  // the URL goes to the page, never a key: the page's requests carry the user's access token.
  const baasUrl = process.env.TANDEM_BAAS_URL || process.env.ROQ_PLATFORM_URL;
  return (
    <main>
      <h1>Your team</h1>
      <TeamView baasUrl={baasUrl} />
      <p>
        <a href="/">Home</a>
      </p>
    </main>
  );
}
