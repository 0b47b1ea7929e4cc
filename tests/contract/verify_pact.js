// Verifies a pact exported by the mock with the official Pact verifier
// (@pact-foundation/pact's Verifier) against a fresh aigallery-mock, using
// POST /__mock/provider-states as providerStatesSetupUrl; then alters one
// expected response value and checks that the verifier fails, so the check
// can fail.
//
//   node verify_pact.js PACT_FILE AIGALLERY_MOCK_BINARY
'use strict';
process.env.PACT_DO_NOT_TRACK = 'true';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { Verifier } = require('@pact-foundation/pact');

const [pactFile, mockBinary] = process.argv.slice(2);
if (!pactFile || !mockBinary) {
  console.error('usage: node verify_pact.js PACT_FILE AIGALLERY_MOCK_BINARY');
  process.exit(2);
}

// A fresh mock on a free port; resolves to { url, stop }.
function startMock() {
  return new Promise((resolve, reject) => {
    const child = spawn(mockBinary, ['--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error('the mock did not start in 10 s')), 10000);
    child.on('error', reject);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          stop: () => new Promise((done) => { child.on('exit', done); child.kill('SIGTERM'); }),
        });
      }
    });
  });
}

async function verify(file) {
  const mock = await startMock();
  try {
    await new Verifier({
      provider: 'ai-gallery',
      providerBaseUrl: mock.url,
      pactUrls: [path.resolve(file)],
      providerStatesSetupUrl: `${mock.url}/__mock/provider-states`,
      logLevel: 'warn',
    }).verifyProvider();
    return { ok: true };
  } catch (e) {
    return { ok: false, error: e };
  } finally {
    await mock.stop();
  }
}

// The first response body holding a version_num: change it to one no mock answers.
function alter(pact) {
  for (const i of pact.interactions) {
    const c = i.response.body && i.response.body.content;
    if (c && typeof c === 'object' && typeof c.version_num === 'string') {
      const before = c.version_num;
      c.version_num = '9.9.9';
      return `${i.description}: version_num ${before} -> 9.9.9`;
    }
  }
  throw new Error('no interaction with a version_num to alter');
}

(async () => {
  const pact = JSON.parse(fs.readFileSync(pactFile, 'utf8'));
  console.log(`verifying ${pact.interactions.length} interactions of ${pactFile}`);
  const good = await verify(pactFile);
  if (!good.ok) {
    console.error(`FAIL: the recorded pact did not verify against a fresh mock: ${good.error}`);
    process.exit(1);
  }
  console.log('the recorded pact verifies against a fresh mock: 0 failures');

  const what = alter(pact);
  const altered = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'aigallery-pact-')), 'altered.json');
  fs.writeFileSync(altered, JSON.stringify(pact));
  const bad = await verify(altered);
  fs.rmSync(path.dirname(altered), { recursive: true, force: true });
  if (bad.ok) {
    console.error(`FAIL: the verifier accepted an altered pact (${what})`);
    process.exit(1);
  }
  console.log(`the altered pact (${what}) fails verification, as it must`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
