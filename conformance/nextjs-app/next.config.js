/** @type {import('next').NextConfig} */
module.exports = {
  // The app is built once and served by `next start` with the ROQ_* env of each test run.
  reactStrictMode: true,
  poweredByHeader: false,
};
