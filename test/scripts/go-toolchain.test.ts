import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const SCRIPT = join(ROOT, 'scripts', 'go-toolchain.py');
const VERSION = '1.99.1';
const PLATFORM = `${process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`;
const MODULE_VERSION = `v0.0.1-go${VERSION}.${PLATFORM}`;

/** A module proxy on disk (GOPROXY=file://...) serving a toolchain zip laid out as golang.org/toolchain's. */
function fakeProxy(): { proxy: string; sha256: string } {
  const proxy = mkdtempSync(join(tmpdir(), 'goproxy-'));
  const dir = join(proxy, 'golang.org', 'toolchain', '@v');
  mkdirSync(dir, { recursive: true });
  const zip = join(dir, `${MODULE_VERSION}.zip`);
  const build = `
import zipfile, sys
prefix = "golang.org/toolchain@${MODULE_VERSION}/"
with zipfile.ZipFile(sys.argv[1], "w") as z:
    go = zipfile.ZipInfo(prefix + "bin/go")
    go.external_attr = 0o755 << 16
    z.writestr(go, "#!/bin/sh\\necho fetched go")
    z.writestr(prefix + "VERSION", "go${VERSION}")
`;
  expect(spawnSync('python3', ['-c', build, zip]).status).toBe(0);
  return { proxy: `file://${proxy}`, sha256: createHash('sha256').update(readFileSync(zip)).digest('hex') };
}

/** A PATH with python3 and, optionally, a stand-in `go` reporting the given version. */
function pathWith(goVersion?: string): string {
  const bin = mkdtempSync(join(tmpdir(), 'gobin-'));
  if (goVersion) {
    writeFileSync(join(bin, 'go'), `#!/bin/sh\n[ "$1 $2" = "env GOVERSION" ] && echo go${goVersion}\n`);
    chmodSync(join(bin, 'go'), 0o755);
  }
  const python = spawnSync('python3', ['-c', 'import sys, os; print(os.path.dirname(sys.executable))'], { encoding: 'utf8' }).stdout.trim();
  return [bin, python, '/usr/bin', '/bin'].filter((dir) => dir === bin || !existsSync(join(dir, 'go'))).join(':');
}

function run(args: { sha256: string; proxy: string; path: string; dest: string }) {
  return spawnSync('python3', [SCRIPT, '--version', VERSION, '--minimum', '1.25', '--sha256', args.sha256, '--dest', args.dest], {
    encoding: 'utf8',
    env: { ...process.env, PATH: args.path, GOPROXY: `${args.proxy},direct` },
  });
}

test('without Go it fetches the pinned toolchain from GOPROXY, checks its digest and unpacks it runnable', () => {
  const { proxy, sha256 } = fakeProxy();
  const dest = mkdtempSync(join(tmpdir(), 'tools-'));
  const result = run({ sha256, proxy, path: pathWith(), dest });
  expect(result.stderr).toContain(`fetching Go ${VERSION} from ${proxy}/golang.org/toolchain/@v/${MODULE_VERSION}.zip`);
  expect(result.status).toBe(0);
  const go = result.stdout.trim();
  expect(go).toBe(join(dest, `go-${VERSION}`, 'bin', 'go'));
  expect(statSync(go).mode & 0o111).not.toBe(0);
  expect(spawnSync(go, [], { encoding: 'utf8' }).stdout).toBe('fetched go\n');
  // A second run reuses it.
  expect(run({ sha256: 'not-needed-again', proxy, path: pathWith(), dest }).stdout.trim()).toBe(go);
});

test('a toolchain whose digest differs from the pin is refused and nothing is left behind', () => {
  const { proxy, sha256 } = fakeProxy();
  const dest = mkdtempSync(join(tmpdir(), 'tools-'));
  const wrong = sha256.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  const result = run({ sha256: wrong, proxy, path: pathWith(), dest });
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(`has sha256 ${sha256}, not the pinned ${wrong}; refusing to use it`);
  expect(readdirSync(dest)).toEqual([]);
});

test('an installed Go at the minimum or newer is used; an older one is not', () => {
  const { proxy, sha256 } = fakeProxy();
  const dest = mkdtempSync(join(tmpdir(), 'tools-'));
  const recent = pathWith('1.25.0');
  expect(run({ sha256, proxy, path: recent, dest }).stdout.trim()).toBe(join(recent.split(':')[0], 'go'));
  expect(readdirSync(dest)).toEqual([]);
  expect(run({ sha256, proxy, path: pathWith('1.24.9'), dest }).stdout.trim()).toBe(join(dest, `go-${VERSION}`, 'bin', 'go'));
});

test('a platform without a pinned digest and no Go says what to install, in one line', () => {
  const result = run({ sha256: '', proxy: 'file:///nonexistent', path: pathWith(), dest: mkdtempSync(join(tmpdir(), 'tools-')) });
  expect(result.status).toBe(1);
  expect(result.stderr).toBe(`go-toolchain: no pinned Go toolchain for ${PLATFORM}: install Go 1.25 or newer (https://go.dev/dl/)\n`);
});
