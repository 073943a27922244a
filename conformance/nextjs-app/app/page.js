import SessionView from './session-view';

export default function Home() {
  return (
    <main>
      <h1>Tandem hosted-auth test app</h1>
      <SessionView />
    </main>
  );
}
