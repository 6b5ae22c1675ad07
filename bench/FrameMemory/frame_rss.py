#!/usr/bin/env python3
"""Peak memory of a silo while hostile clients post large frames at once.

Starts the built silo host (Production, one API key), waits for it, starts N calls, then posts one
WIDTH x HEIGHT PNG per call, all at once, and samples the silo's resident memory (VmRSS, every
20 ms) and its high-water mark (VmHWM). Prints the figures and the answers' status codes.

  python3 bench/FrameMemory/frame_rss.py --silo Silo/bin/Release/net10.0/Emotion.Orleans.Silo.dll \
      [--width 4096 --height 4096] [--posts 48]

The PNG is a flat colour, so it is tens of kilobytes on the wire however many pixels it declares.
"""
import argparse
import http.client
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib

KEY = "frame-memory-bench-key-0123456789"


def png(width, height):
    row = b"\x00" + bytes([90, 120, 150]) * width
    raw = zlib.compress(row * height, 9)

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                name, value = line.split(":")
                fields[name] = int(value.split()[0]) / 1024
    return fields.get("VmRSS", 0.0), fields.get("VmHWM", 0.0)


def request(port, method, path, body=None, content_type=None, timeout=300):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"X-Api-Key": KEY}
    if content_type:
        headers["Content-Type"] = content_type
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--silo", required=True)
    parser.add_argument("--width", type=int, default=4096)
    parser.add_argument("--height", type=int, default=4096)
    parser.add_argument("--posts", type=int, default=48)
    args = parser.parse_args()

    port = free_port()
    env = dict(os.environ)
    env.update({
        "ASPNETCORE_ENVIRONMENT": "Production",
        "Silo__SiloPort": str(free_port()),
        "Silo__GatewayPort": str(free_port()),
        "Silo__ManagementPort": str(free_port()),
        "Auth__ApiKeys__0__Tenant": "bench",
        "Auth__ApiKeys__0__Key": KEY,
        "Logging__LogLevel__Default": "Warning",
    })
    log = open(os.environ.get("FRAME_RSS_LOG", os.devnull), "w")
    silo = subprocess.Popen(["dotnet", os.path.abspath(args.silo), "--urls", f"http://127.0.0.1:{port}"], env=env,
                            cwd=os.path.dirname(os.path.abspath(args.silo)), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 300
        while True:
            try:
                request(port, "GET", "/calls/probe", timeout=5)
                break
            except OSError:
                if time.time() > deadline or silo.poll() is not None:
                    sys.exit("The silo did not start.")
                time.sleep(0.5)

        frame = png(args.width, args.height)
        ids = [f"frame-rss-{i}" for i in range(args.posts)]
        for i in ids:
            request(port, "POST", f"/calls/{i}/start")
        # Warm the face path once with a small frame, so the baseline includes the models' working memory.
        request(port, "POST", f"/calls/{ids[0]}/frames?timestamp=00:00:00", png(64, 64), "image/png")
        time.sleep(1)
        baseline, hwm_before = memory(silo.pid)

        peak = [baseline]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], memory(silo.pid)[0])
                time.sleep(0.02)

        statuses = [None] * len(ids)

        def post(n):
            statuses[n], _ = request(port, "POST", f"/calls/{ids[n]}/frames?timestamp=00:00:01", frame, "image/png")

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.time()
        posts = [threading.Thread(target=post, args=(n,)) for n in range(len(ids))]
        for t in posts:
            t.start()
        for t in posts:
            t.join()
        elapsed = time.time() - started
        time.sleep(1)
        done.set()
        sampler.join()
        after, hwm = memory(silo.pid)
        counts = {}
        for s in statuses:
            counts[s] = counts.get(s, 0) + 1
        print(json.dumps({
            "frame": f"{args.width}x{args.height} PNG, {len(frame)} bytes",
            "posts": len(ids),
            "statuses": counts,
            "seconds": round(elapsed, 1),
            "rss_before_mb": round(baseline),
            "rss_peak_sampled_mb": round(peak[0]),
            "rss_high_water_before_posts_mb": round(hwm_before),
            "rss_high_water_mb": round(hwm),
            "rss_after_mb": round(after),
        }))
    finally:
        silo.terminate()
        silo.wait(timeout=60)


if __name__ == "__main__":
    main()
