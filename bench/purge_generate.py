#!/usr/bin/env python3
"""Pushes TAGS small images across REPOS repositories of a plain-HTTP registry, fast, over keep-alive
connections: one layer blob per repository shared by all its images, a distinct tiny config per image.
The first OLD tags (spread over the repositories) get a config `created` in 2020, the rest the current time.
Prints the OLD references ("repo:tag"), one per line, to the file given as the last argument."""
import datetime, hashlib, http.client, json, sys, threading

host, repos, tags, old, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]

def digest(data): return "sha256:" + hashlib.sha256(data).hexdigest()

def upload(conn, repo, data):
    conn.request("POST", f"/v2/{repo}/blobs/uploads/")
    r = conn.getresponse(); r.read()
    loc = r.getheader("Location")
    if r.status != 202: raise SystemExit(f"upload start {repo}: {r.status}")
    if loc.startswith("http"): loc = loc.split(host, 1)[1]
    sep = "&" if "?" in loc else "?"
    conn.request("PUT", f"{loc}{sep}digest={digest(data)}", body=data,
                 headers={"Content-Type": "application/octet-stream"})
    r = conn.getresponse(); r.read()
    if r.status != 201: raise SystemExit(f"upload {repo}: {r.status}")
    return digest(data)

old_refs = []
def push_repo(index):
    repo = f"bench{index}"
    conn = http.client.HTTPConnection(host)
    layer = b"hangar-bench-layer"
    layer_digest = upload(conn, repo, layer)
    mine = [i for i in range(tags) if i % repos == index]
    for i in mine:
        created = "2020-01-01T00:00:00Z" if i < old else datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        config = json.dumps({"architecture": "amd64", "os": "linux", "created": created,
                             "config": {"Labels": {"n": str(i)}},
                             "rootfs": {"type": "layers", "diff_ids": [layer_digest]}}).encode()
        config_digest = upload(conn, repo, config)
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                          "digest": config_digest, "size": len(config)},
                               "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                                           "digest": layer_digest, "size": len(layer)}]}).encode()
        tag = f"t{i}"
        conn.request("PUT", f"/v2/{repo}/manifests/{tag}", body=manifest,
                     headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
        r = conn.getresponse(); r.read()
        if r.status != 201: raise SystemExit(f"manifest {repo}:{tag}: {r.status}")
        if i < old: old_refs.append(f"{repo}:{tag}")

threads = [threading.Thread(target=push_repo, args=(r,)) for r in range(repos)]
for t in threads: t.start()
for t in threads: t.join()
with open(out, "w") as f: f.write("\n".join(sorted(old_refs)) + "\n")
