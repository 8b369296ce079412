"""The seed's way: gevent.pool.Pool(100) + urllib.request, every URL of a list into a folder.

python3 gevent_pool.py LIST DIR [SIZE]  (LIST: one URL a line; each saved under its last segment)
"""
from gevent import monkey

monkey.patch_all()

import os  # noqa: E402
import sys  # noqa: E402
import urllib.request  # noqa: E402

from gevent.pool import Pool  # noqa: E402


def my_download(url, out_dir):
    with urllib.request.urlopen(url, timeout=30) as response:
        data = response.read()
    with open(os.path.join(out_dir, url.rsplit("/", 1)[-1]), "wb") as f:
        f.write(data)
    return len(data)


def main():
    list_file, out_dir = sys.argv[1], sys.argv[2]
    size = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    with open(list_file) as f:
        urls = [line.strip() for line in f if line.strip()]
    pool = Pool(size)
    jobs = [pool.spawn(my_download, url, out_dir) for url in urls]
    pool.join()
    failed = [job for job in jobs if not job.successful()]
    for job in failed:
        print(f"failed: {job.exception!r}", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
