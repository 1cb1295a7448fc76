#!/bin/bash
# Install (or update) the class hub on one Debian/Ubuntu server. Run as root:
#
#   bash deploy/jupyterhub/install.sh [--prefix /opt/isotretinoin-hub] [--course PATH] [--no-system]
#
# Creates PREFIX/envs/{hub,student,instructor} (Python virtual environments; the course is installed in
# the last two from its own wheel, which carries the datasets), PREFIX/proxy (configurable-http-proxy
# from npm), PREFIX/course (the lessons and the nbgrader course folder), copies the hub's
# configuration, and, unless --no-system: the course groups, the exchange folders, /etc/isotretinoin-hub/hub.env
# and the systemd unit. Running it again updates everything in place; student work is never touched.
# Needs: python3 (3.11) with venv, npm, and bubblewrap for sandboxed grading
# (Debian/Ubuntu: apt-get install python3-venv npm bubblewrap), network to PyPI and npm.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PREFIX=/opt/isotretinoin-hub
COURSE="$(cd "$HERE/../.." && pwd)"
SYSTEM=1
# Students' servers run this interpreter as the students: it must not live in a private folder
# (a pyenv Python under /root is unreadable to them). Debian's own Python 3.11 is the default.
PYTHON="${PYTHON:-/usr/bin/python3}"
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) PREFIX="$2"; shift 2 ;;
    --course) COURSE="$(cd "$2" && pwd)"; shift 2 ;;
    --no-system) SYSTEM=0; shift ;;
    *) echo "install.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 2; }
[ -f "$COURSE/pyproject.toml" ] && [ -d "$COURSE/notebooks" ] || { echo "install.sh: $COURSE is not the course repository (--course)" >&2; exit 2; }
command -v npm >/dev/null || { echo "install.sh: npm is missing (apt-get install npm)" >&2; exit 2; }
# Instructors grade in a bubblewrap sandbox (exercises/README.md); without it autograding refuses to run.
command -v bwrap >/dev/null || echo "install.sh: warning: bubblewrap is missing (apt-get install bubblewrap): instructors cannot autograde" >&2

umask 022
mkdir -p "$PREFIX/envs" "$PREFIX/course"
# Every version is pinned: the course's lock, plus the hub's own packages (one file each, no overlap).
CONSTRAINTS=(-c "$COURSE/requirements/constraints.txt" -c "$HERE/requirements/constraints-hub.txt")

make_env() {  # make_env NAME: a fresh venv on first run, reused afterwards
  [ -x "$PREFIX/envs/$1/bin/python" ] || "$PYTHON" -m venv "$PREFIX/envs/$1"
}
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' \
  || { echo "install.sh: $PYTHON must be Python 3.11 (the course's lock); set PYTHON=..." >&2; exit 2; }

echo "== hub environment"
make_env hub
# Build both local packages as wheels from copies: pip builds a local folder in place, which would
# leave build/ and *.egg-info in the checkout. The course's wheel needs only what pyproject.toml names:
# the package (src/), the datasets it ships, the README and the licence.
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/course"
cp -r "$COURSE/pyproject.toml" "$COURSE/README.md" "$COURSE/LICENSE" "$COURSE/src" "$COURSE/datasets" "$WORK/course/"
find "$WORK/course" \( -name '*.egg-info' -o -name __pycache__ \) -prune -exec rm -rf {} +
cp -r "$HERE/isotretinoin_hub" "$WORK/isotretinoin_hub"
rm -rf "$WORK/isotretinoin_hub/build" "$WORK/isotretinoin_hub/src/"*.egg-info
"$PREFIX/envs/hub/bin/pip" wheel -q --no-deps -w "$WORK/wheels" "$WORK/course" "$WORK/isotretinoin_hub"
COURSE_WHEEL="$(ls "$WORK"/wheels/isotretinoin_course-*.whl)"
HUB_WHEEL="$(ls "$WORK"/wheels/isotretinoin_hub-*.whl)"
# uv (pinned in the course's lock) installs the environments: the same pinned versions pip would install,
# in about a third of the time. Bytecode is compiled at install, because users cannot write it later;
# files are copied (not linked to uv's cache in /root), so the environments stand alone.
"$PREFIX/envs/hub/bin/pip" install -q "${CONSTRAINTS[@]}" uv
install_into() {  # install_into ENV PACKAGE...: the pinned packages, and our two wheels always afresh
  "$PREFIX/envs/hub/bin/uv" pip install --quiet --python "$PREFIX/envs/$1/bin/python" --compile-bytecode --link-mode=copy \
    --reinstall-package isotretinoin-course --reinstall-package isotretinoin-hub "${CONSTRAINTS[@]}" "${@:2}"
}
# The lock's optional packages that slow every Jupyter tool's start and that nothing uses (why: in the file).
mapfile -t REMOVED < <(grep -v -e '^#' -e '^$' "$COURSE/requirements/removed-after-install.txt")
remove_unused() {  # remove_unused ENV
  [ "${#REMOVED[@]}" -eq 0 ] || "$PREFIX/envs/hub/bin/uv" pip uninstall --quiet --python "$PREFIX/envs/$1/bin/python" "${REMOVED[@]}"
}
install_into hub -r "$HERE/requirements/hub.txt" "$HUB_WHEEL"
remove_unused hub

echo "== proxy (configurable-http-proxy from npm)"
mkdir -p "$PREFIX/proxy"
cp "$HERE/proxy/package.json" "$HERE/proxy/package-lock.json" "$PREFIX/proxy/"
(cd "$PREFIX/proxy" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
# The proxy runs on the Node.js 22 that the lock installs for Linux x64 and arm64, not on the system's:
# configurable-http-proxy 5.3.0 and its dependencies declare Node.js 20 or 22.12 and later, and Debian 12's
# own is 18 (its npm is enough to install them).
NODE="$PREFIX/proxy/node_modules/.bin/node"
[ -x "$NODE" ] || NODE="$(command -v node)"  # another platform: the system's Node.js, if recent enough
"$NODE" -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || {
  echo "install.sh: the proxy needs Node.js 20 or later; $NODE is $("$NODE" --version)" >&2; exit 2; }

# What each role gets on top of the course (pyproject.toml's extras): students JupyterLab and nbgrader,
# whose Assignments panel fetches and submits (its instructor panels are switched off below);
# instructors JupyterLab and the instructor extra (nbgrader with every panel, and the sandboxed grader).
declare -A EXTRAS=([student]="lab" [instructor]="lab,instructor")
declare -A ALSO=([student]="nbgrader" [instructor]="")
for role in student instructor; do
  echo "== $role environment (the course from its wheel, non-editable)"
  make_env "$role"
  # The course is installed as a package (not editable): students cannot change it, and every
  # server of the class runs the same version. jupyterhub provides jupyterhub-singleuser.
  # shellcheck disable=SC2086 # ALSO is a word list
  install_into "$role" "$COURSE_WHEEL[${EXTRAS[$role]}]" ${ALSO[$role]} jupyterhub "$HUB_WHEEL"
  remove_unused "$role"
  mkdir -p "$PREFIX/envs/$role/etc/jupyter"
  cp "$HERE/nbgrader_config.py" "$PREFIX/envs/$role/etc/jupyter/nbgrader_config.py"
done
cat "$HERE/nbgrader_config_instructor.py" >> "$PREFIX/envs/instructor/etc/jupyter/nbgrader_config.py"
# Students keep nbgrader's Assignments panel (fetch, submit, feedback) and lose the instructor's tools.
S="$PREFIX/envs/student/bin"
INSTRUCTOR_PLUGINS=(@jupyter/nbgrader:formgrader @jupyter/nbgrader:course-list @jupyter/nbgrader:create-assignment)
"$S/jupyter" labextension disable --level=sys_prefix "${INSTRUCTOR_PLUGINS[@]}" >/dev/null 2>&1
# Locked, so that a student cannot switch them back on from JupyterLab's plugin manager.
"$S/jupyter" labextension lock --level=sys_prefix "${INSTRUCTOR_PLUGINS[@]}" >/dev/null 2>&1
"$S/jupyter" server extension disable --sys-prefix nbgrader.server_extensions.formgrader \
  nbgrader.server_extensions.course_list >/dev/null 2>&1

echo "== course files"
rm -rf "$PREFIX/course.new" && mkdir -p "$PREFIX/course.new"
cp -r "$COURSE/notebooks" "$PREFIX/course.new/"
mkdir -p "$PREFIX/course.new/exercises"
cp -r "$COURSE/exercises/source" "$COURSE/exercises/nbgrader_config.py" "$COURSE/exercises/README.md" "$PREFIX/course.new/exercises/"
find "$PREFIX/course.new" -name .ipynb_checkpoints -prune -exec rm -rf {} +
rm -rf "$PREFIX/course.old"; [ -d "$PREFIX/course" ] && mv "$PREFIX/course" "$PREFIX/course.old"
mv "$PREFIX/course.new" "$PREFIX/course" && rm -rf "$PREFIX/course.old"
cp "$HERE/jupyterhub_config.py" "$PREFIX/jupyterhub_config.py"

# Everything under PREFIX belongs to root and is read-only for users.
chown -R root:root "$PREFIX"
chmod -R u+rwX,go+rX,go-w "$PREFIX"
# Prove that an ordinary account can run the students' Python, import the course and find the
# synthetic datasets inside the installed package (no variable pointing elsewhere).
CHECK="import isotretinoin_hub.exchange; from isotretinoin_course.core.resources import datasets_directory as d
assert (d() / 'datapackage.json').is_file(), f'no datasets in the installed course package: {d()}'"
if ! runuser -u nobody -- env -u ISOTRETINOIN_COURSE_DATASETS "$PREFIX/envs/student/bin/python" -c "$CHECK"; then
  echo "install.sh: an ordinary user must be able to run $PREFIX/envs/student/bin/python (is a parent folder private?) and find the course's datasets in it (see above)" >&2
  exit 1
fi

if [ "$SYSTEM" = 1 ]; then
  echo "== system: settings, groups, exchange, service"
  mkdir -p /etc/isotretinoin-hub /srv/jupyterhub
  chmod 0700 /srv/jupyterhub
  [ -f /etc/isotretinoin-hub/hub.env ] || sed "s#^ISOHUB_PREFIX=.*#ISOHUB_PREFIX=$PREFIX#" "$HERE/hub.env" > /etc/isotretinoin-hub/hub.env
  set -a; . /etc/isotretinoin-hub/hub.env; set +a
  "$PREFIX/envs/hub/bin/isotretinoin-hub-accounts" init
  sed "s#/opt/isotretinoin-hub#$PREFIX#g" "$HERE/jupyterhub.service" > /etc/systemd/system/isotretinoin-hub.service
  if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
    systemctl daemon-reload
    systemctl enable isotretinoin-hub.service
    systemctl restart isotretinoin-hub.service
  else
    echo "systemd is not running here: start the hub with"
    echo "  (set -a; . /etc/isotretinoin-hub/hub.env; cd /srv/jupyterhub && $PREFIX/envs/hub/bin/jupyterhub -f $PREFIX/jupyterhub_config.py)"
  fi
fi
echo "== done: $PREFIX ($(du -sh "$PREFIX" | cut -f1))"
