"""JupyterHub configuration for a class on one Linux server with local accounts.

Run as root (the hub starts each student's server as that student):
    /opt/isotretinoin-hub/envs/hub/bin/jupyterhub -f /opt/isotretinoin-hub/jupyterhub_config.py
Every path and name comes from ``ISOHUB_*`` variables (``isotretinoin_hub/settings.py``); the systemd
unit reads them from ``/etc/isotretinoin-hub/hub.env``. See README.md in this folder.
"""

import asyncio
import grp
import os
import pwd
import sys

from isotretinoin_hub.settings import Settings
from jupyterhub.spawner import set_user_setuid

c = get_config()  # noqa: F821 (provided by JupyterHub)
S = Settings.from_env()

# --- Network: students reach the proxy; the hub and the proxy's API listen on loopback only.
c.JupyterHub.ip = S.ip
c.JupyterHub.port = S.port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = S.hub_port
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{S.proxy_api_port}"
# The proxy runs on the Node.js its lock installs (install.sh says why), else on the system's.
_modules = S.prefix / "proxy" / "node_modules"
_node = _modules / ".bin" / "node"
c.ConfigurableHTTPProxy.command = [str(_node) if _node.exists() else "node",
                                   str(_modules / "configurable-http-proxy" / "bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(S.state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{S.state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(S.state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(S.state / "jupyterhub.pid")

# --- Who can log in: local accounts (PAM) in the course's two groups; nobody else on the machine.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {S.students_group, S.instructors_group}
c.Authenticator.admin_users = set(S.admins)
c.PAMAuthenticator.open_sessions = False

# --- Each user's server runs as that user, from the environment of their role.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.notebook_dir = "~"
c.Spawner.default_url = f"/lab/tree/{S.lessons_folder}/00_start_here.ipynb"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 90
c.Spawner.environment = {
    "ISOHUB_EXCHANGE": str(S.exchange),
    "ISOHUB_COURSE_ID": S.course_id,
}


def is_instructor(username: str) -> bool:
    """Membership of the course's instructors' group, read from the system at each start."""
    try:
        group = grp.getgrnam(S.instructors_group)
    except KeyError:
        return False
    return username in group.gr_mem or pwd.getpwnam(username).pw_gid == group.gr_gid


async def copy_as_user(spawner, source, dest_name: str) -> None:
    """Run the lesson copier as the user (never as root), with JupyterHub's own privilege drop."""
    name = spawner.user.name
    home = pwd.getpwnam(name).pw_dir
    python = str((S.instructor_env if is_instructor(name) else S.student_env) / "bin" / "python")
    try:
        proc = await asyncio.create_subprocess_exec(
            python, "-I", "-m", "isotretinoin_hub.lessons", "--source", str(source),
            "--dest", os.path.join(home, dest_name), preexec_fn=set_user_setuid(name), cwd="/",
            env={"HOME": home, "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
    except OSError as error:
        spawner.log.error("Cannot copy %s for %s: %s", source, name, error)
        return
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    except asyncio.TimeoutError:
        proc.kill()
        spawner.log.error("Copying %s for %s took over 60 s and was stopped", source, name)
        return
    if proc.returncode:
        # The server still starts: the student can work, and the log says what to fix.
        spawner.log.error("Copying %s for %s failed: %s", source, name, err.decode(errors="replace").strip())
    else:
        spawner.log.info("Lessons for %s: %s", name, out.decode(errors="replace").strip())


async def pre_spawn_hook(spawner) -> None:
    """Choose the user's environment and bring their lessons up to date before the server starts."""
    instructor = is_instructor(spawner.user.name)
    env = S.instructor_env if instructor else S.student_env
    spawner.cmd = [str(env / "bin" / "jupyterhub-singleuser")]
    # The role's environment first on PATH (not the hub's): terminals, and tools such as nbgrader
    # that call `alembic` or `jupyter` by name, must find the user's own environment.
    spawner.environment = {**spawner.environment, "PATH": f"{env / 'bin'}:/usr/local/bin:/usr/bin:/bin"}
    # Kernels talk to the server over Unix sockets in the user's private runtime folder, not TCP:
    # with a whole class starting kernels at once, two servers can pick the same free TCP port before
    # either binds it ("Address already in use": measured with 40 students), and a TCP port on
    # 127.0.0.1 is reachable by every local user. A socket path must stay under 108 bytes.
    runtime = os.path.join(pwd.getpwnam(spawner.user.name).pw_dir, ".local/share/jupyter/runtime")
    if len(runtime) + len("/kernel-") + 36 + len("-ipc-9") < 108:
        if "--KernelManager.transport=ipc" not in spawner.args:  # the spawner object lives across restarts
            spawner.args = [*spawner.args, "--KernelManager.transport=ipc"]
    else:
        spawner.log.warning("Home of %s is too long for kernel sockets: kernels use TCP", spawner.user.name)
    await copy_as_user(spawner, S.lessons_source, S.lessons_folder)
    if instructor:
        # The nbgrader course folder (source/ and nbgrader_config.py) for release, collect and grading.
        await copy_as_user(spawner, S.prefix / "course" / "exercises", "isotretinoin-exercises")


c.Spawner.pre_spawn_hook = pre_spawn_hook

# --- Stop servers nobody has used for a while, so their memory returns to the class.
c.JupyterHub.load_roles = [{
    "name": "jupyterhub-idle-culler-role",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["jupyterhub-idle-culler-service"],
}]
c.JupyterHub.services = [{
    "name": "jupyterhub-idle-culler-service",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={S.cull_timeout}", "--cull-every=300"],
}]
