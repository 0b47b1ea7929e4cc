// Signs a table of varied requests with the vendor's own signer (AKSKSigner
// of @huaweicloud/huaweicloud-sdk-core) at a fixed time, sends each to the
// mock as the SDK would, then sends copies with one byte changed in a signed
// part (signature, date, body) and reports every answer as JSON on stdout.
// The C++ test (tests/aksk_crosscheck_test.cpp) starts the mock, runs this,
// signs the same requests with the C++ signer and compares.
//
// usage: node aksk_crosscheck.js BASE_URL ACCESS_KEY SECRET_KEY SDK_DATE ID_A ID_B
'use strict';

const http = require('http');
const querystring = require('querystring');
const { AKSKSigner } = require('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner');

const [base, ak, sk, sdkDate, idA, idB] = process.argv.slice(2);
if (!idB) {
    console.error('usage: node aksk_crosscheck.js BASE_URL ACCESS_KEY SECRET_KEY SDK_DATE ID_A ID_B');
    process.exit(2);
}
const credential = { getAk: () => ak, getSk: () => sk };
const json = { 'Content-Type': 'application/json' };

// [name, method, path, queryParams, extra headers, data, {project_id, security_token}]
// Paths avoid characters that url.parse escapes (' " space < > and the like): the
// SDK would sign the escape encoded once more, which no server sees on the wire.
const table = [
    ['me', 'GET', '/v1/aihub/me', {}, {}],
    ['list mine', 'GET', '/v1/aihub/contents', { scope: 'mine' }, json],
    ['list public paged', 'GET', '/v1/aihub/contents', { scope: 'public', limit: '5', offset: '0' }, {}],
    ['title with space', 'GET', '/v1/aihub/contents', { title: 'Flower classifier' }, {}],
    ['title latin-1', 'GET', '/v1/aihub/contents', { title: 'Blumen & Bäume' }, {}],
    ['title CJK', 'GET', '/v1/aihub/contents', { title: '中文标题' }, {}],
    ['title emoji', 'GET', '/v1/aihub/contents', { title: 'emoji 😀 ～' }, {}],
    ['title reserved', 'GET', '/v1/aihub/contents', { title: 'a+b=c/d?e#f&g;h:i@j,k$l' }, {}],
    ['title sub-delims', 'GET', '/v1/aihub/contents', { title: "it's (really) *fine*!" }, {}],
    ['empty value', 'GET', '/v1/aihub/contents', { title: '' }, {}],
    ['sorted by title', 'GET', '/v1/aihub/contents', { sort_key: 'title', sort_dir: 'asc', content_type: 'algorithm' }, {}],
    ['keys out of order', 'GET', '/v1/aihub/contents', { zeta: '2', alpha: '1', Mid: '3' }, {}],
    ['repeated key', 'GET', '/v1/aihub/contents', { k: ['b', 'a', 'c'] }, {}],
    ['repeated equal values', 'GET', '/v1/aihub/contents', { k: ['x', 'x'], j: ['', 'y'] }, {}],
    ['non-ASCII key', 'GET', '/v1/aihub/contents', { 'ключ': 'значение' }, {}],
    ['key with space', 'GET', '/v1/aihub/contents', { 'a b': 'c d' }, {}],
    ['unreserved', 'GET', '/v1/aihub/contents', { tilde: '~-._', digits: '0123456789' }, {}],
    ['percent sign', 'GET', '/v1/aihub/contents', { pct: '100% sure' }, {}],
    ['trailing slash', 'GET', '/v1/aihub/contents/', {}, {}],
    ['one asset', 'GET', '/v1/aihub/contents/' + idA, {}, {}],
    ['one version', 'GET', '/v1/aihub/contents/' + idA + '/versions/1.0.0', {}, json],
    ['dependents', 'GET', '/v1/aihub/contents/' + idA + '/versions/1.0.0/dependents', {}, {}],
    ['sub-delims in path', 'GET', '/v1/aihub/contents/no:such(id)!*', {}, {}],
    ['double slash', 'GET', '/v1//aihub/me', {}, {}],
    ['bare version path', 'GET', '/v1', {}, {}],
    ['extra headers', 'GET', '/v1/aihub/me', {}, { 'X-Custom-Header': 'v 1', Accept: 'application/json', 'X-Request-Tag': 'abc' }],
    ['header names that collate', 'GET', '/v1/aihub/me', {}, { 'x-a': '1', x_b: '2', x0: '3', 'X-Z': '4' }],
    ['multipart content type not signed', 'GET', '/v1/aihub/me', {}, { 'content-type': 'multipart/form-data; boundary=x' }],
    ['publish', 'POST', '/v1/aihub/contents', {}, json, { content_type: 'algorithm', title: 'signed by node' }],
    ['publish non-ASCII', 'POST', '/v1/aihub/contents', {}, json,
        { content_type: 'algorithm', title: 'Ünïcödé 標題 😀', desc: 'quotes " and \\ backslash\nnewline' }],
    ['publish with key', 'POST', '/v1/aihub/contents', {}, { ...json, 'Idempotency-Key': 'node-key-1' },
        { content_type: 'workflow', title: 'keyed', source: { nested: { list: [1, 2.5, true, null] } } }],
    ['new version', 'POST', '/v1/aihub/contents/' + idA + '/versions', {}, json, { desc: 'next' }],
    ['new version with If-Match', 'POST', '/v1/aihub/contents/' + idA + '/versions', {}, { ...json, 'If-Match': '"1.0.1"' }, { desc: 'after' }],
    ['visibility', 'PUT', '/v1/aihub/contents/' + idA + '/versions/1.0.0/visibility', {}, json, { visibility: 'public' }],
    ['whitelist', 'PATCH', '/v1/aihub/contents/' + idA + '/versions/1.0.0/whitelist', {}, json,
        { add: ['0123456789abcdef0123456789abcdef'] }],
    ['delete', 'DELETE', '/v1/aihub/contents/' + idB, {}, {}],
    ['project id', 'GET', '/v1/aihub/me', {}, {}, undefined, { project_id: '0a1b2c3d4e5f60718293a4b5c6d7e8f9' }],
    ['temporary credentials', 'GET', '/v1/aihub/contents', { scope: 'mine' }, {}, undefined,
        { project_id: 'proj-1', security_token: 'temporary-security-token-value' }],
    ['content hash header', 'POST', '/v1/aihub/contents', {}, { ...json, 'X-Sdk-Content-Sha256': 'HASH' },
        { content_type: 'algorithm', title: 'hashed body' }],
];

function sign(entry) {
    const [name, method, path, queryParams, extra, data, auth] = entry;
    const headers = { 'X-Sdk-Date': sdkDate, ...extra };
    // What the SDK's credentials add before signing (BaseCredentials.addAuthHeaders).
    if (auth && auth.security_token)
        headers['X-Security-Token'] = auth.security_token;
    if (auth && auth.project_id)
        headers['X-Project-Id'] = auth.project_id;
    const body = data === undefined ? '' : JSON.stringify(data);
    if (headers['X-Sdk-Content-Sha256'] === 'HASH')
        headers['X-Sdk-Content-Sha256'] = require('crypto').createHash('sha256').update(body).digest('hex');
    const request = { endpoint: base + path, method, headers, queryParams, data };
    const signed = AKSKSigner.sign(request, credential);
    // Sent as the SDK sends queries (querystring.stringify), repeated keys repeated.
    const query = querystring.stringify(queryParams);
    return { name, method, target: path + (query ? '?' + query : ''), headers: signed, body, auth: auth || {} };
}

function send(c) {
    return new Promise((resolve) => {
        const u = new URL(base);
        const headers = { ...c.headers };
        if (c.body)
            headers['Content-Length'] = Buffer.byteLength(c.body);
        const req = http.request({ host: u.hostname, port: u.port, method: c.method, path: c.target, headers },
            (res) => {
                let text = '';
                res.setEncoding('utf8');
                res.on('data', (d) => (text += d));
                res.on('end', () => {
                    let code = '';
                    let msg = '';
                    try {
                        const b = JSON.parse(text);
                        code = b.error_code || '';
                        msg = b.error_msg || '';
                    } catch (e) { /* not JSON */ }
                    resolve({ status: res.statusCode, error_code: code, error_msg: msg });
                });
            });
        req.on('error', (e) => resolve({ status: 0, error_code: 'transport', error_msg: String(e) }));
        if (c.body)
            req.write(c.body);
        req.end();
    });
}

// One byte changed: the next character in a small alphabet, so it stays valid.
function bump(s, i) {
    const ch = s[i];
    const next = /[0-9]/.test(ch) ? String((Number(ch) + 1) % 10)
        : /[a-f]/.test(ch) ? (ch === 'f' ? 'a' : String.fromCharCode(ch.charCodeAt(0) + 1))
        : ch === 'x' ? 'y' : 'x';
    return s.slice(0, i) + next + s.slice(i + 1);
}

function tampered(c) {
    const out = [];
    const auth = c.headers.Authorization;
    const at = auth.lastIndexOf('=') + 1 + 10;
    out.push({ what: 'signature', c: { ...c, headers: { ...c.headers, Authorization: bump(auth, at) } } });
    // The seconds' last digit: still within the 15 minutes, so only the signature can refuse it.
    out.push({ what: 'date', c: { ...c, headers: { ...c.headers, 'X-Sdk-Date': bump(sdkDate, 14) } } });
    if (c.body) {
        const i = c.body.indexOf(':') + 3;  // inside the first value
        out.push({ what: 'body', c: { ...c, body: bump(c.body, i) } });
    }
    return out;
}

(async () => {
    const cases = [];
    for (const entry of table) {
        const c = sign(entry);
        // Tampered copies first: a refused copy changes nothing, so the
        // original's answer is the same as if it had been sent alone.
        const refused = [];
        for (const t of tampered(c))
            refused.push({ what: t.what, ...(await send(t.c)) });
        const answer = await send(c);
        cases.push({ ...c, answer, tampered: refused });
    }
    process.stdout.write(JSON.stringify({ cases }));
})();
