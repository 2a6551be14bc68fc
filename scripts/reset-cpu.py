#!/usr/bin/env python3
"""CPU of the agent's reset with a prepared python interpreter, spawned (plain) or forked from the
template (template): the container's cgroup v1 cpuacct.usage around N resets, each optionally after
a hello-world exec through the prepared interpreter. Talks to the agent's socket directly.
    sudo python3 scripts/reset-cpu.py warmbox/runtime-python:latest 200 template [exec]
"""
import json, os, re, socket, subprocess, sys, time, uuid
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
image, n, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]  # mode: plain | template
withexec = len(sys.argv) > 4 and sys.argv[4] == 'exec'
src = open(ROOT + '/server/src/main/java/dev/warmbox/sandbox/Language.java').read()
loader = re.search(r'PYTHON_LOADER = """\n(.*?)""";', src, re.S).group(1)
lines = loader.split('\n'); indent = min(len(l) - len(l.lstrip()) for l in lines if l.strip())
loader = '\n'.join(l[indent:] for l in lines)
env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/home/sandbox", "LANG": "C.UTF-8", "TMPDIR": "/tmp",
       "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"}
prepare = {"argv": ["python3", "-c", loader], "env": env}
if mode == 'template':
    tpl = open(ROOT + '/server/src/main/resources/dev/warmbox/sandbox/python-template.py').read()
    prepare["template"] = {"argv": ["python3", "-I", "-B", "-u", "-c", tpl, loader]}
name = 'resetbench-' + uuid.uuid4().hex[:8]
rundir = '/tmp/' + name
os.makedirs(rundir, mode=0o700)
u = 'uid=10000,gid=10000,mode=755'
cid = subprocess.check_output(['docker', 'run', '-d', '--name', name, '--init', '--read-only', '--network', 'none',
    '--cap-drop', 'ALL'] + sum([['--cap-add', c] for c in 'CHOWN DAC_OVERRIDE FOWNER KILL SETUID SETGID'.split()], []) +
    ['--security-opt', 'no-new-privileges', '--pids-limit', '256', '--memory', '512m', '--label', 'warmbox.bench=1',
     '--tmpfs', '/workspace:rw,exec,nosuid,nodev,size=64m,' + u, '--tmpfs', '/tmp:rw,noexec,nosuid,nodev,size=64m,mode=1777',
     '--tmpfs', '/home/sandbox:rw,noexec,nosuid,nodev,size=64m,' + u, '-v', rundir + ':/run/warmbox', image], text=True).strip()
def call(req):
    s = socket.socket(socket.AF_UNIX); s.connect(rundir + '/agent.sock'); s.sendall(json.dumps(req).encode() + b'\n')
    data = b''
    while not data.endswith(b'\n'):
        c = s.recv(65536)
        if not c: break
        data += c
    s.close(); return json.loads(data)
try:
    for _ in range(100):
        if os.path.exists(rundir + '/agent.sock'): break
        time.sleep(0.1)
    time.sleep(0.3)
    usage = '/sys/fs/cgroup/cpuacct/docker/%s/cpuacct.usage' % cid
    for _ in range(5): assert call({"op": "reset", "prepare": prepare})["ok"]
    ex = {"op": "exec", "files": [{"name": "main.py", "content": "print('hello')"}],
          "run": {"argv": ["python3", "/workspace/main.py"], "prepared": True}, "env": env, "timeout_ms": 5000}
    before = int(open(usage).read()); t0 = time.time(); durs = []; prepared = 0
    for _ in range(n):
        if withexec:
            a = call(ex); assert a["ok"] and a["run"]["stdout"] == "hello\n", a; prepared += a["prepared"]
        r = call({"op": "reset", "prepare": prepare}); assert r["ok"] and r["prepared"], r; durs.append(r["duration_ms"]); forked = r.get("forked")
    after = int(open(usage).read()); wall = time.time() - t0
    durs.sort()
    print(f"{mode}{' +exec' if withexec else ''}: {n} resets: container CPU {(after-before)/n/1e6:.2f} ms/iteration, wall {wall/n*1000:.1f} ms/iteration, reset duration_ms p50 {durs[n//2]}, execs prepared {prepared}")
    print("forked", forked, call({"op": "ping"}))
finally:
    subprocess.run(['docker', 'rm', '-f', name], capture_output=True)
