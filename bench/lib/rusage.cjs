// Preloaded into a measured Node process (node --require): prints the
// process's peak resident set size, worker threads included, when it exits.
process.on('exit', () => {
  process.stderr.write(`\nexecmem-bench maxrss_kb=${process.resourceUsage().maxRSS}\n`);
});
