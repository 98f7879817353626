#!/usr/bin/env bash
# Headless Chromium and its matching driver for the dashboard's browser test (tests/test_dashboard_browser.py).
#
# Why Debian's packages: chromium and chromium-driver come from one source package, so the driver always
# speaks the browser's protocol version, and nothing is downloaded at test time (the network is closed).
# Installed only when missing, so a second run costs nothing. Run by `python3 dev.py test` before pytest.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
# Another hook (PostgreSQL) may be installing at the same moment: wait for dpkg's lock instead of failing.
APT=(apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
echo "installing chromium and chromium-driver for the dashboard test ..."
$SUDO "${APT[@]}" update -qq
$SUDO "${APT[@]}" install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core fonts-liberation >/dev/null
chromium --version
