import { IndexStore } from './src/node/index/store';
import { indexSources, loadIndex, sourceReadOf } from './src/node/index/indexer';
import { readFileSync } from 'node:fs';
import { loadSqlite } from './src/node/index/sqlite';
async function main() {
const src = '/work/.mirror/linux-mailinglist-archives+linux-arch.vger.kernel.org.0/repo';
let t = performance.now();
const s3 = await loadSqlite();
console.log('sqlite init', Math.round(performance.now() - t)); t = performance.now();
const bytes = readFileSync('/tmp/idx-arch/repo-381907c78b22.sqlite');
console.log('readFile', Math.round(performance.now() - t)); t = performance.now();
const { store } = await IndexStore.open('/tmp/idx-arch/repo-381907c78b22.sqlite');
console.log('open (checks)', Math.round(performance.now() - t)); t = performance.now();
const read = sourceReadOf(store, src);
console.log('rows→messages', Math.round(performance.now() - t), read.seen); t = performance.now();
store.close();
const { groupSeries } = await import('./src/core/series/group');
const idx = groupSeries(read.messages, { errors: read.errors, duplicates: read.duplicates });
console.log('group', Math.round(performance.now() - t), idx.series.length); t = performance.now();
global.gc?.();
console.log('heap', Math.round(process.memoryUsage().heapUsed / 1e6), 'rss', Math.round(process.memoryUsage().rss / 1e6), 'ab', Math.round(process.memoryUsage().arrayBuffers / 1e6));
const r2 = await indexSources('/tmp/idx-arch', [src]);
console.log('indexSources nothing new', Math.round(performance.now() - t), r2.run.ms); t = performance.now();

}
void main();
