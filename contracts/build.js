// Compiles src/*.sol with the solc-js version pinned in package.json and
// writes one artifact per contract to artifacts/ (abi, bytecode, deployed
// bytecode). `node build.js --check` recompiles and fails when a committed
// artifact differs, so the embedded bytecode always matches the sources.
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const srcDir = path.join(__dirname, 'src');
const outDir = path.join(__dirname, 'artifacts');
const check = process.argv.includes('--check');

// The settings are part of the artifact: changing them changes bytecode.
const settings = {
  evmVersion: 'cancun',
  optimizer: { enabled: true, runs: 999999 },
  metadata: { bytecodeHash: 'none' },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
};

const sources = {};
for (const f of fs.readdirSync(srcDir).filter((f) => f.endsWith('.sol')).sort()) {
  sources[f] = { content: fs.readFileSync(path.join(srcDir, f), 'utf8') };
}
const out = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings })));
let failed = false;
for (const e of out.errors || []) {
  if (e.severity === 'error') failed = true;
  process.stderr.write(e.formattedMessage + '\n');
}
if (failed) process.exit(1);

let stale = [];
for (const file of Object.keys(out.contracts).sort()) {
  for (const name of Object.keys(out.contracts[file]).sort()) {
    const c = out.contracts[file][name];
    if (!c.evm.bytecode.object) continue; // interfaces and libraries without code
    const artifact = JSON.stringify({
      contractName: name,
      source: 'src/' + file,
      compiler: 'solc-js ' + solc.version(),
      settings: { evmVersion: settings.evmVersion, optimizer: settings.optimizer, metadata: settings.metadata },
      abi: c.abi,
      bytecode: '0x' + c.evm.bytecode.object,
      deployedBytecode: '0x' + c.evm.deployedBytecode.object,
    }, null, 1) + '\n';
    const dst = path.join(outDir, name + '.json');
    if (check) {
      const have = fs.existsSync(dst) ? fs.readFileSync(dst, 'utf8') : '';
      if (have !== artifact) stale.push(path.relative(__dirname, dst));
      continue;
    }
    fs.mkdirSync(outDir, { recursive: true });
    const tmp = dst + '.tmp';
    fs.writeFileSync(tmp, artifact);
    fs.renameSync(tmp, dst);
    console.log('wrote ' + path.relative(__dirname, dst));
  }
}
if (stale.length) {
  console.error('stale artifacts (run: cd contracts && npm ci && node build.js): ' + stale.join(', '));
  process.exit(1);
}
