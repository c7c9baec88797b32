// Parses a PowerShell script with the tree-sitter PowerShell grammar (its WebAssembly build, run by
// web-tree-sitter) and prints every syntax error; exit status 1 if there is one. Used by
// PowerShellSyntaxTest, which installs the two npm packages beside this file.
import { Parser, Language } from 'web-tree-sitter';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
await Parser.init();
const grammar = require.resolve('tree-sitter-powershell/tree-sitter-powershell.wasm');
const parser = new Parser();
parser.setLanguage(await Language.load(grammar));
const tree = parser.parse(readFileSync(process.argv[2], 'utf8'));
const errors = [];
const walk = node => {
  if (node.isError || node.isMissing) {
    const where = `${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
    errors.push(where + (node.isMissing ? ' missing ' + node.type : ' unexpected ' + JSON.stringify(node.text.slice(0, 60))));
  }
  node.children.forEach(walk);
};
walk(tree.rootNode);
if (errors.length > 0) {
  console.log(errors.join('\n'));
  process.exit(1);
}
console.log(`parsed: ${tree.rootNode.namedChildCount} top-level statements`);
