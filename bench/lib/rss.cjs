// Preloaded with `node --require` into a measured process: prints its peak RSS (KiB) on stderr at exit.
// VmHWM of /proc/self/status, not getrusage's maxRSS: Linux carries ru_maxrss over from the parent
// across fork+exec, so a child of a big benchmark process would report the parent's peak.
process.on('exit', () => {
  const fs = require('fs');
  let kb = process.resourceUsage().maxRSS;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) kb = Number(m[1]);
  } catch {}
  fs.writeSync(2, `\nBENCH_MAXRSS_KB ${kb}\n`);
});
