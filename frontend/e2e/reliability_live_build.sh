#!/bin/bash
# Why this exists: the reliability page's live-room panel (the frontend's
# `reliability-live` feature) is over that page's size budget, so `cargo
# xtask build` (which enforces the budget) does not build it. To test it
# (frontend/e2e/reliability_live.test.mjs), run this after `cargo xtask
# build`: it swaps the reliability page's wasm in dist/ for one built with
# the feature, through Trunk's pipeline (wasm-bindgen --target web, wasm-opt
# -Oz), puts the new files' hashes in the pages' integrity attributes,
# gzips them as xtask does, and rebuilds the server, which embeds dist/. It
# prints the page's gzipped size. The next `cargo xtask build` puts the
# budgeted page back only when something changed: delete
# target/ui-build.stamp to force it.
set -e
cd "$(git rev-parse --show-toplevel)"
cargo build --quiet --profile wasm-release --target wasm32-unknown-unknown -p fanout-frontend --bin fanout-reliability --features reliability-live
out=target/reliability-live; rm -rf $out; mkdir -p $out
target/tools/bin/wasm-bindgen --target web --out-dir $out target/wasm32-unknown-unknown/wasm-release/fanout-reliability.wasm
frontend/node_modules/binaryen/bin/wasm-opt -Oz $out/fanout-reliability_bg.wasm -o $out/opt.wasm
python3 - $out <<'PY'
import sys,glob,hashlib,base64,gzip
out=sys.argv[1]
wasm=glob.glob('dist/fanout-reliability-*_bg.wasm')[0]
js=wasm.replace('_bg.wasm','.js')
def sri(b): return 'sha384-'+base64.b64encode(hashlib.sha384(b).digest()).decode()
old={p:sri(open(p,'rb').read()) for p in (wasm,js)}
newwasm=open(out+'/opt.wasm','rb').read()
newjs=open(out+'/fanout-reliability.js').read()
open(wasm,'wb').write(newwasm); open(js,'w').write(newjs)
for p in (wasm,js):
    open(p+'.gz','wb').write(gzip.compress(open(p,'rb').read(),9))
for h in glob.glob('dist/*.html'):
    t=open(h).read(); t2=t
    for p,o in old.items(): t2=t2.replace(o,sri(open(p,'rb').read()))
    if t2!=t:
        open(h,'w').write(t2); open(h+'.gz','wb').write(gzip.compress(t2.encode(),9)); print('patched',h)
print('wasm gzip',len(gzip.compress(newwasm,9)))
PY
touch server/build.rs
cargo build --release --quiet -p fanout-server --bin fanout
echo livebuild-ok
