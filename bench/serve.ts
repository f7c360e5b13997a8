// Keeps the pull benchmark's seeded local S3 server running (for profiling a pull by hand):
//   npx tsx bench/serve.ts   → prints the endpoint and a ready-made pull command; Ctrl-C stops it.
import { LOCAL_CREDENTIALS } from '../src/core/localS3';
import { BENCH_BUCKET, startSeededServer } from './lib/seededServer';

(async () => {
  const { server, data } = await startSeededServer(s => console.error(s));
  console.log(`ENDPOINT ${server.endpoint}`);
  console.log(`AWS_ACCESS_KEY_ID=${LOCAL_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${LOCAL_CREDENTIALS.secretAccessKey} node dist/cli.js pull s3://${BENCH_BUCKET}/${data.feed}/version=1 --out /tmp/pull-out --endpoint ${server.endpoint}`);
  const stop = () => { void server.stop().finally(() => process.exit(0)); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
})();
