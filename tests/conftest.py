"""Shared test set-up: fixture files are data for the tests, not notebooks to run; the course website built once;
the slowest modules first."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings


from isotretinoin_course.core.identity import request_fixed_order

# Quizzes show the course's fixed option order in every test and every kernel the tests start (strict nbval,
# the wheel checks), whatever student identity (JUPYTERHUB_USER, ISOTRETINOIN_COURSE_STUDENT) the machine has.
request_fixed_order()

collect_ignore_glob = ["fixtures/*"]

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


# Hypothesis profiles for the property tests (test_properties.py). "ci", the default, is bounded and derandomized, so
# every run tries the same inputs in the same time; "dev" tries more, at random; "census" is "ci" with more examples
# for counting (COURSE_PROPERTY_CENSUS). Choose with COURSE_HYPOTHESIS_PROFILE.
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much, HealthCheck.large_base_example]
settings.register_profile("ci", max_examples=12, derandomize=True, database=None, print_blob=True, suppress_health_check=_QUIET)
settings.register_profile("dev", max_examples=200, suppress_health_check=_QUIET)
settings.register_profile("census", max_examples=40, derandomize=True, database=None, suppress_health_check=_QUIET)
settings.load_profile(os.environ.get("COURSE_HYPOTHESIS_PROFILE", "ci"))
if os.environ.get("COURSE_PROPERTY_EXAMPLES"):  # a quicker or a longer run of the same profile, e.g. for a census while fixing
    settings.register_profile("override", settings.default, max_examples=int(os.environ["COURSE_PROPERTY_EXAMPLES"]))
    settings.load_profile("override")


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


SITE_REPOSITORY = "example-org/isotretinoin-course"  # any OWNER/REPO: the tests check the Binder link pattern only
SITE_REF = "main"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The whole course website, built once per session (per xdist worker) from the checkout into a temporary folder.

    Returns (folder, build report). It reads the repository's notebooks, ``docs/instructor/`` and the package's
    content, never ``build/`` or what an earlier build left, so in CI (a clean clone) it is the site that
    ``python3 course.py site`` would publish.
    """
    from isotretinoin_course.authoring.site.build import SiteBuilder, SiteConfig

    out = tmp_path_factory.mktemp("site") / "site"
    report = SiteBuilder(SiteConfig(root=ROOT, out_dir=out, repository=SITE_REPOSITORY, ref=SITE_REF)).build()
    return out, report


# The modules that take twenty seconds or more each start first, slowest first, so that the two pytest-xdist workers
# finish at about the same time (course.py test hands out whole files in collection order: --dist loadfile
# --no-loadscope-reorder).
SLOWEST_FIRST = ("browser/test_jupyterlab.py", "test_exercises_hostile.py", "test_exercises.py", "hub/test_hub_e2e.py",
                 "test_wheel_py313.py", "test_wheel_py311.py", "test_properties.py", "browser/test_site.py")


def pytest_collection_modifyitems(session, config, items):
    def rank(item) -> int:
        path = item.path.as_posix()
        return next((position for position, name in enumerate(SLOWEST_FIRST) if path.endswith(f"tests/{name}")), len(SLOWEST_FIRST))

    items.sort(key=rank)  # stable: every other test keeps its order


# Saved progress (core/progress_store.py): never the machine's own. Kernels that the tests start (strict nbval, the
# wheel tests) inherit an empty folder of this session's; each test gets a fresh folder of its own, so a quiz checked
# in one test is neither restored in another nor seen by a notebook's kernel (09's debrief would then differ).
_SESSION_PROGRESS = tempfile.mkdtemp(prefix="course-test-progress-")
os.environ["ISOTRETINOIN_COURSE_PROGRESS_DIR"] = _SESSION_PROGRESS


@pytest.fixture(autouse=True)
def _own_progress_folder(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("ISOTRETINOIN_COURSE_PROGRESS_DIR", str(tmp_path_factory.mktemp("progress")))


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(_SESSION_PROGRESS, ignore_errors=True)
