// Preloaded with `node --require` into a measured process: prints its peak RSS (KiB) on stderr at exit.
process.on('exit', () => {
  require('fs').writeSync(2, `\nBENCH_MAXRSS_KB ${process.resourceUsage().maxRSS}\n`);
});
