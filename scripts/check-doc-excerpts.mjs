// The guides' TypeScript blocks are excerpts of real files, so they cannot rot: each block's
// lines (a `// …` line marks an elision) must appear, in order, in one file under src/ or test/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const filesUnder = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
const linesOf = (text) => text.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('// …'));
const sources = [...filesUnder('src'), ...filesUnder('test')].map((path) => ({ path, lines: linesOf(readFileSync(path, 'utf8')) }));
const containsInOrder = (haystack, needles) => {
  let at = 0;
  for (const needle of needles) {
    at = haystack.indexOf(needle, at);
    if (at < 0) return false;
    at++;
  }
  return true;
};

let problems = 0;
for (const doc of ['README.md', ...readdirSync('docs').filter((n) => n.endsWith('.md')).map((n) => join('docs', n))]) {
  const blocks = [...readFileSync(doc, 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => linesOf(m[1]));
  for (const block of blocks) {
    if (!sources.some((source) => containsInOrder(source.lines, block))) {
      problems++;
      console.error(`${doc}: this block is in no file under src/ or test/ (update it from the code):\n  ${block.slice(0, 3).join('\n  ')} …`);
    }
  }
}
if (problems > 0) process.exit(1);
console.log('doc excerpts: every TypeScript block of the guides is found in the code');
