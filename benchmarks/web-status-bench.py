# Side-by-side figures of the web status, on the assembled gateway (not part of the build; benchmarks/run.sh
# web-status runs it): cold start and RSS with and without the web bundle (3 rounds), /metrics and /api/links for
# 301 links, and POST reconnect -> the change on the SSE stream. Usage: python3 web-status-bench.py ASSEMBLY_DIR
import os, re, shutil, signal, socket, statistics, subprocess, sys, threading, time, urllib.request
assembly = sys.argv[1]
def copy(target, web):
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(assembly, target, ignore=shutil.ignore_patterns("log", "cache"))
    if not web:
        for f in os.listdir(target + "/bundle"):
            if f.startswith("connback-web-"):
                os.remove(target + "/bundle/" + f)
def start(home):
    return subprocess.Popen([home + "/bin/gateway", "--no-console"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
def started_ms(home, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            m = re.search(r"gateway started in (\d+) ms", open(home + "/log/gateway.log").read())
            if m:
                return int(m.group(1))
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    raise RuntimeError("no start line")
def rss_mb(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
def stop(proc):
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)
def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

results = {True: [], False: []}
for round_ in range(3):
    for web in (True, False):
        home = "/tmp/webbench-%s" % ("web" if web else "noweb")
        copy(home, web)
        port = free_port()
        open(home + "/conf/io.connback.http.cfg", "w").write("port = %d\n" % port)
        proc = start(home)
        ms = started_ms(home)
        time.sleep(8)
        # bin/gateway execs java: its pid is the JVM's
        results[web].append((ms, rss_mb(proc.pid)))
        stop(proc)
for web in (True, False):
    print("%s: cold start ms %s (median %d), RSS MB after 8 s %s (median %.1f)" % ("with web" if web else "without web",
          [r[0] for r in results[web]], statistics.median(r[0] for r in results[web]),
          ["%.1f" % r[1] for r in results[web]], statistics.median(r[1] for r in results[web])))

home = "/tmp/webbench-300"
copy(home, True)
port = free_port()
token = "bench-token-0123456789"
open(home + "/conf/io.connback.http.cfg", "w").write("port = %d\ntoken = %s\n" % (port, token))
dead = free_port()
for i in range(300):
    open(home + "/conf/io.connback.tcp-l%03d.cfg" % i, "w").write("host = 127.0.0.1\nport = %d\nmaxDelay = 60s\n" % dead)
device = socket.socket(); device.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); device.bind(("127.0.0.1", 0)); device.listen(64)
held = []
threading.Thread(target=lambda: [held.append(device.accept()) for _ in iter(int, 1)], daemon=True).start()
open(home + "/conf/io.connback.tcp-live.cfg", "w").write("host = 127.0.0.1\nport = %d\n" % device.getsockname()[1])
proc = start(home)
started_ms(home)
base = "http://127.0.0.1:%d/connback" % port
deadline = time.time() + 60
while time.time() < deadline:
    try:
        body = urllib.request.urlopen(base + "/api/links").read().decode()
        if body.count('"name"') >= 301 and '"name":"live","type":"tcp","source":"conf/io.connback.tcp-live.cfg","state":"CONNECTED"' in body:
            break
    except OSError:
        pass
    time.sleep(0.2)
for path in ("/metrics", "/api/links"):
    times = []
    for _ in range(40):
        t = time.perf_counter(); urllib.request.urlopen(base + path).read(); times.append((time.perf_counter() - t) * 1000)
    print("%s for 301 links: median %.1f ms, max %.1f ms (40 requests)" % (path, statistics.median(times[5:]), max(times[5:])))
# reconnect -> SSE event
stream = urllib.request.urlopen(base + "/api/events")
lines = []
def read():
    for raw in stream:
        lines.append((time.perf_counter(), raw.decode()))
threading.Thread(target=read, daemon=True).start()
time.sleep(0.5)
latencies = []
for _ in range(20):
    mark = len(lines)
    request = urllib.request.Request(base + "/api/links/live/reconnect", method="POST", headers={"Authorization": "Bearer " + token})
    t = time.perf_counter(); urllib.request.urlopen(request).read()
    while True:
        hit = [at for at, line in lines[mark:] if line.startswith('data:') and '"name":"live"' in line]
        if hit:
            latencies.append((hit[0] - t) * 1000); break
        time.sleep(0.001)
    time.sleep(0.3)
print("POST reconnect -> SSE event of the change: median %.1f ms, max %.1f ms (20 changes)" % (statistics.median(latencies), max(latencies)))
stop(proc)
