// dist/cli.js: starts the CLI bundle (dist/cliMain.js) through a V8 code cache. Compiling the multi-MB
// bundle is most of a short command's start-up (measured: ~70 ms of ~200 ms for `--version`); with the
// cache V8 deserialises the compiled code instead. The cache is written after a successful command (so
// the functions that command compiled lazily are in it; one cache per command word), atomically, beside the bundle when that folder
// is writable, else in a private per-user cache folder. A missing, stale or rejected cache only costs
// the normal compile: nothing here may make the CLI fail (it falls back to a plain require()).
// Node built-ins only: this file must stay tiny.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

export const BUNDLE = 'cliMain.js';
const CACHE_PREFIX = '.cliMain.';
const CACHE_SUFFIX = '.v8cache';

interface CliEntry {
  runCli(argv: string[]): Promise<number>;
}

interface Cache {
  file: string;
  key: string;
  data?: Buffer;
}

/** Folders the cache may live in, best first: beside the bundle, then a private per-user folder. */
function cacheDirs(bundleDir: string): string[] {
  const dirs = [bundleDir];
  const home = process.env.XDG_CACHE_HOME || (os.homedir() ? path.join(os.homedir(), '.cache') : '');
  if (home) dirs.push(path.join(home, 'asapp-exports'));
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  dirs.push(path.join(os.tmpdir(), `asapp-exports-${uid}`));
  return dirs;
}

/**
 * A per-user folder is used only when it is ours and nobody else can write it: code cache is code, so a
 * cache planted by another user must never be loaded.
 */
function privateDir(dir: string, create: boolean): boolean {
  try {
    if (create) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.statSync(dir);
    if (!st.isDirectory()) return false;
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return false;
    return (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

function findCache(bundle: string, key: string, command: string): Cache | undefined {
  const bundleDir = path.dirname(bundle);
  const name = `${CACHE_PREFIX}${key}.${command}${CACHE_SUFFIX}`;
  let writable: string | undefined;
  for (const dir of cacheDirs(bundleDir)) {
    const ours = dir === bundleDir || privateDir(dir, false);
    if (!ours) continue;
    const file = path.join(dir, name);
    try {
      return { file, key, data: fs.readFileSync(file) };
    } catch {
      // not there: try the next folder
    }
  }
  for (const dir of cacheDirs(bundleDir)) {
    if (dir === bundleDir) {
      try {
        fs.accessSync(dir, fs.constants.W_OK);
        writable = dir;
        break;
      } catch {
        continue;
      }
    }
    if (privateDir(dir, true)) {
      writable = dir;
      break;
    }
  }
  return writable ? { file: path.join(writable, name), key } : undefined;
}

function writeCache(cache: Cache, data: Buffer): void {
  const tmp = `${cache.file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, cache.file);
    // Caches of older bundles or Node versions in the same folder are dead weight.
    const dir = path.dirname(cache.file);
    const current = `${CACHE_PREFIX}${cache.key}.`;
    for (const n of fs.readdirSync(dir)) {
      if (n.startsWith(CACHE_PREFIX) && n.endsWith(CACHE_SUFFIX) && !n.startsWith(current)) fs.rmSync(path.join(dir, n), { force: true });
    }
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing to clean
    }
  }
}

/**
 * One cache per command word: the cache holds the functions compiled by the run that wrote it, and
 * `pull` compiles other ones (the AWS SDK) than `--version`. Only words of successful runs get a file.
 */
function commandWord(argv: string[]): string {
  const word = argv.find(a => !a.startsWith('-')) ?? argv[0] ?? 'none';
  return /^[a-z][a-z-]{0,23}$/.test(word) ? word : 'other';
}

/** Compiles and evaluates the bundle as a CommonJS module, with the code cache when there is one. */
function load(bundle: string): { entry: CliEntry; afterRun?: () => void } | undefined {
  const st = fs.statSync(bundle);
  const source = fs.readFileSync(bundle, 'utf8');
  const key = createHash('sha1')
    .update(`${process.version}\0${process.arch}\0${st.size}\0${st.mtimeMs}`)
    .digest('hex')
    .slice(0, 16);
  const cache = process.env.ASAPP_EXPORTS_NO_CODE_CACHE ? undefined : findCache(bundle, key, commandWord(process.argv.slice(2)));
  const options = { filename: bundle, importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER } as vm.ScriptOptions;
  let script: vm.Script;
  try {
    script = new vm.Script(Module.wrap(source), { ...options, cachedData: cache?.data });
  } catch {
    // e.g. a cache V8 cannot even read: compile without it
    script = new vm.Script(Module.wrap(source), options);
  }
  const mod = new Module(bundle, module);
  mod.filename = bundle;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(bundle));
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(mod.exports, mod.exports, Module.createRequire(bundle), mod, bundle, path.dirname(bundle));
  mod.loaded = true;
  const stale = cache !== undefined && (cache.data === undefined || script.cachedDataRejected === true);
  return {
    entry: mod.exports as CliEntry,
    afterRun: stale && cache ? () => writeCache(cache, script.createCachedData()) : undefined,
  };
}

function start(): void {
  const bundle = path.join(__dirname, BUNDLE);
  let loaded: ReturnType<typeof load> | undefined;
  // Node maps stack traces through dist/cliMain.js.map only for modules it loads itself, not for a
  // vm.Script: with --enable-source-maps the bundle is required the plain way (no cache).
  const sourceMaps = (process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled === true
    || process.execArgv.includes('--enable-source-maps') || /--enable-source-maps/.test(process.env.NODE_OPTIONS ?? '');
  if (vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER && !sourceMaps) loaded = load(bundle);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the plain way, without a cache
  loaded ??= { entry: require(bundle) as CliEntry };
  const { entry, afterRun } = loaded;
  void entry.runCli(process.argv.slice(2)).then(code => {
    if (code === 0 && afterRun) afterRun();
  });
}

start();
