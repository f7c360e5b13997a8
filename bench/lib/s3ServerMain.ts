// Started by server.ts: the local S3 server on 127.0.0.1, its endpoint on stdout, until stdin closes.
import { startLocalS3 } from '../../src/core/localS3';

(async () => {
  const s3 = await startLocalS3();
  process.stdout.write(`ENDPOINT ${s3.endpoint}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void s3.stop().finally(() => process.exit(0));
  });
})();
