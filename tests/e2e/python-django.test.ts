// The Django test site (tests/apps/django_site, from `django-admin startproject`) served by the real CLI:
// `tsgi testsite.wsgi:application`, on a throw-away SQLite database migrated first.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { RawConnection } from '../http/support/raw-connection.js';
import { chunked, multipart, payload, sha256 } from './support/multipart.js';
import { PYTHON, ROOT, type ServerProcess, skipPython, startTsgi } from './support/server-process.js';

const DJANGO_SITE = `${ROOT}tests/apps/django_site`;

function cookieFrom(res: Response, name: string): string {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    if (pair.startsWith(`${name}=`)) return pair.slice(name.length + 1);
  }
  throw new Error(`no ${name} cookie in ${JSON.stringify(res.headers.getSetCookie())}`);
}

// As deployed: one worker importing the site itself, --preload (imported once, the workers forked from it), and
// on gevent (the worker patched, each request in a greenlet).
for (const args of [[], ['--preload', '-w', '2'], ['-k', 'gevent']]) {
  describe(`Django under the tsgi CLI${args.length ? ` (${args.join(' ')})` : ''}`, {
    skip: skipPython,
    timeout: 60_000,
  }, () => {
    let tsgi: ServerProcess;
    let dir: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tsgi-django-'));
      const env = { ...process.env, TSGI_TEST_DJANGO_DB: join(dir, 'db.sqlite3') };
      const migrate = spawnSync(PYTHON, ['manage.py', 'migrate', '-v0'], {
        cwd: DJANGO_SITE,
        env,
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.equal(migrate.status, 0, `manage.py migrate failed:\n${migrate.stderr}`);
      tsgi = await startTsgi('testsite.wsgi:application', args, {
        chdir: DJANGO_SITE,
        env: { TSGI_TEST_DJANGO_DB: join(dir, 'db.sqlite3') },
      });
    });
    after(async () => {
      await tsgi?.kill();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('GET /admin/login/ answers 200 with the login form', { timeout: 10_000 }, async () => {
      const res = await fetch(`${tsgi.origin}/admin/login/`);
      assert.equal(res.status, 200, tsgi.tail());
      const html = await res.text();
      assert.match(html, /<form [^>]*id="login-form"/);
      assert.match(html, /name="username"/);
      assert.match(html, /name="password"/);
      assert.match(html, /name="csrfmiddlewaretoken"/);
      if (args.includes('--preload')) assert.match(tsgi.output, /Preloaded the app in Python zygote/);
      if (args.includes('gevent'))
        assert.match(tsgi.output, /Booted Python worker with pid: \d+ \(Python [\d.]+, gevent /);
    });

    test('a form POSTed back with its CSRF cookie and token is accepted', { timeout: 10_000 }, async () => {
      const page = await fetch(`${tsgi.origin}/form/`);
      assert.equal(page.status, 200, tsgi.tail());
      const cookie = cookieFrom(page, 'csrftoken');
      const token = (await page.text()).match(/name="csrfmiddlewaretoken" value="([^"]+)"/)?.[1];
      assert.ok(token, 'the page carries a csrfmiddlewaretoken');
      const res = await fetch(`${tsgi.origin}/form/`, {
        method: 'POST',
        headers: { cookie: `csrftoken=${cookie}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrfmiddlewaretoken: token, message: 'héllo wörld' }),
      });
      assert.equal(res.status, 200, tsgi.tail());
      assert.equal(await res.text(), 'got: héllo wörld');
    });

    test('a form POSTed without the CSRF token is refused with 403', { timeout: 10_000 }, async () => {
      const res = await fetch(`${tsgi.origin}/form/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'message=sneaky',
      });
      assert.equal(res.status, 403, tsgi.tail());
      assert.match(await res.text(), /CSRF/);
    });

    test('a multipart upload to /upload/ arrives intact', { timeout: 15_000 }, async () => {
      const data = payload(2 * 1024 * 1024 + 17);
      const form = multipart({ title: 'two megs' }, [{ name: 'doc', filename: 'doc.bin', data }]);
      const res = await fetch(`${tsgi.origin}/upload/`, {
        method: 'POST',
        headers: { 'content-type': form.contentType },
        body: form.body,
      });
      assert.equal(res.status, 200, tsgi.tail());
      assert.deepEqual(await res.json(), {
        files: { doc: { size: data.length, sha256: sha256(data), filename: 'doc.bin' } },
        fields: { title: 'two megs' },
      });
    });

    test('a chunked multipart upload is buffered and parsed by Django (CONTENT_LENGTH set)', {
      timeout: 15_000,
    }, async () => {
      const data = payload(300_000);
      const form = multipart({ title: 'chunked' }, [{ name: 'doc', filename: 'c.bin', data }]);
      const connection = await RawConnection.open(tsgi.port);
      try {
        await connection.send(
          `POST /upload/ HTTP/1.1\r\nHost: 127.0.0.1:${tsgi.port}\r\nContent-Type: ${form.contentType}\r\n` +
            'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
        );
        await connection.send(chunked(form.body, 8192));
        const res = await connection.readResponse({ timeoutMs: 10_000 });
        assert.equal(res.status, 200, tsgi.tail());
        assert.deepEqual(JSON.parse(res.body.toString()), {
          files: { doc: { size: data.length, sha256: sha256(data), filename: 'c.bin' } },
          fields: { title: 'chunked' },
        });
      } finally {
        connection.close();
      }
    });
  });
}
