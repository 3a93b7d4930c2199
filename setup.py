"""Package discovery for the wheel; everything else is in pyproject.toml.

Every package under ketamon/ is found, so a new one cannot be left out of the wheel (a
hand-written list once left out ketamon.ui.review). migrations/ and resources/ live at the
top of the repository but ship inside the package as ketamon.migrations and
ketamon.resources (package-dir in pyproject.toml); their sub-packages are found the same
way. pyproject.toml's [tool.setuptools.packages.find] cannot do this: it names packages
after their folders, so it would ship migrations/ as a top-level `migrations` package.
"""

from setuptools import find_packages, setup

SHIPPED_INSIDE = {"ketamon.migrations": "migrations", "ketamon.resources": "resources"}


def discover() -> list[str]:
    packages = find_packages(include=["ketamon", "ketamon.*"])
    for name, folder in SHIPPED_INSIDE.items():
        packages += [name, *(f"{name}.{sub}" for sub in find_packages(folder))]
    return packages


if __name__ == "__main__":
    setup(packages=discover())
