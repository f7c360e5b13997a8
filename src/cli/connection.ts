// The S3 connection a command uses: the global options, the keys or profile of the environment, and what
// `credentials decrypt` recorded in the profile (endpoint, region, sub-folder) — the SDK ignores those.
import type { OptionValues } from './command';
import type { CliContext } from './context';
import { parseS3Uri } from '../core/layout';
import type { S3ConnectionOptions } from '../core/s3';
import { readToolProfile } from '../core/awsProfile';

/** The S3 connection and sub-folder for a URI: global options, plus what the named profile recorded. */
export async function resolveConnection(ctx: CliContext, uri: string, values: OptionValues): Promise<{ s3: S3ConnectionOptions; subFolder?: string }> {
  const s3: S3ConnectionOptions = { ...ctx.s3 };
  // The SDK's default chain reads process.env; the command's environment is ctx.env (they differ when
  // main() is embedded), so keys and profile from it are passed on explicitly.
  if (!s3.profile && !s3.credentials) {
    const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_PROFILE } = ctx.env;
    if (AWS_ACCESS_KEY_ID && AWS_SECRET_ACCESS_KEY) {
      s3.credentials = { accessKeyId: AWS_ACCESS_KEY_ID, secretAccessKey: AWS_SECRET_ACCESS_KEY, ...(AWS_SESSION_TOKEN ? { sessionToken: AWS_SESSION_TOKEN } : {}) };
    } else if (AWS_PROFILE) s3.profile = AWS_PROFILE;
  }
  let subFolder = typeof values['sub-folder'] === 'string' ? values['sub-folder'] : undefined;
  if (s3.profile) {
    const profile = await readToolProfile(s3.profile, ctx.env).catch(() => undefined);
    if (profile) {
      if (!s3.endpoint && profile.endpoint) s3.endpoint = profile.endpoint;
      if (!s3.region && profile.region) s3.region = profile.region;
      if (subFolder === undefined && profile.subFolder && parseS3Uri(uri).bucket === profile.bucket) subFolder = profile.subFolder;
    }
  }
  return { s3, subFolder };
}
