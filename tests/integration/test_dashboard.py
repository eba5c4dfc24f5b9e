"""The dashboard at / in a real browser: Debian's headless Chromium, driven by python3-selenium through
chromium-driver, loads it from the broker with HTTP Basic credentials while a paho client publishes at a
steady pace; the DOM must show the client and a message rate that moves, and a phone-width viewport must
still render the client list. Screenshots go to the test's tmp dir."""
import base64
import json
import shutil
import subprocess
import threading
import urllib.request

import pytest

from brokers import start_culex
from conftest import culex_binary
from mqtt_peers import WAIT, connected

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
USER = ("watcher", "watch-pw")


@pytest.fixture
def broker(tmp_path):
    passwords = tmp_path / "passwd"
    made = subprocess.run([culex_binary(), "passwd", "-c", "-b", str(passwords), *USER],
                          capture_output=True, text=True, timeout=WAIT)
    assert made.returncode == 0, made.stderr
    config = (f"sys_interval 0\nlistener 0 127.0.0.1\nprotocol http\nallow_anonymous false\n"
              f"password_file {passwords}\n")
    with start_culex(tmp_path, config, anonymous=False,
                     listener="per_listener_settings true\nlistener 0 127.0.0.1\nallow_anonymous true") as b:
        b.http_port = int(b.log.wait_for(r"Opening http listen socket on port (\d+)\.").group(1))
        yield b


@pytest.fixture
def browser(tmp_path):
    options = webdriver.ChromeOptions()
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--no-first-run", "--disable-extensions", "--disable-background-networking",
                 f"--user-data-dir={tmp_path / 'chromium-profile'}", "--window-size=1200,1000"):
        options.add_argument(flag)
    service = Service(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(WAIT)
    try:
        # Every request of the page (the HTML, its script and the API it polls) carries the credentials.
        token = base64.b64encode(f"{USER[0]}:{USER[1]}".encode()).decode()
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setExtraHTTPHeaders", {"headers": {"Authorization": f"Basic {token}"}})
        yield driver
    finally:
        driver.quit()


class SteadyPublisher:
    """Publishes QoS 0 at a steady pace (one message every 50 ms, paced by an Event's bounded wait) until
    stopped."""

    def __init__(self, port):
        self.client = connected(port, "dash-publisher")
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopped.wait(0.05):
            self.client.client.publish("dash/pace", b"tick", 0)

    def stop(self):
        self.stopped.set()
        self.thread.join(timeout=WAIT)
        self.client.disconnect()


# Read in the page, in one call: the dashboard redraws its tables every second, so an element found by one
# call may be gone by the next (a stale element reference).
def cell_texts(driver, table):
    return driver.execute_script(
        f"return Array.from(document.querySelectorAll('#{table} tbody td')).map(td => td.textContent.trim())")


def text_of(driver, element_id):
    return driver.execute_script(
        f"const e = document.getElementById('{element_id}'); return e ? e.textContent.trim() : null")


def test_dashboard_shows_clients_and_a_moving_rate(broker, browser, tmp_path):
    # Headers first: the page may come only from this broker.
    request = urllib.request.Request(f"http://127.0.0.1:{broker.http_port}/")
    request.add_header("Authorization", "Basic " + base64.b64encode(f"{USER[0]}:{USER[1]}".encode()).decode())
    with urllib.request.urlopen(request, timeout=WAIT) as response:
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy and "connect-src 'self'" in policy
        assert response.headers["Cache-Control"] == "no-cache"
        assert b"/dashboard.js" in response.read()

    watcher = connected(broker.port, "dash-watcher")
    watcher.subscribe("dash/#", 0)
    publisher = SteadyPublisher(broker.port)
    try:
        browser.get(f"http://127.0.0.1:{broker.http_port}/")
        wait = WebDriverWait(browser, WAIT)
        wait.until(lambda d: "dash-publisher" in cell_texts(d, "clients"))
        assert "dash-watcher" in cell_texts(browser, "clients")
        wait.until(lambda d: "dash/#" in cell_texts(d, "subscriptions"))
        # The listeners card shows the ports bound (both listeners are ephemeral: configured as 0).
        wait.until(lambda d: str(broker.http_port) in cell_texts(d, "listeners"))
        assert str(broker.port) in cell_texts(browser, "listeners")
        # The rate shown changes between two readings (it is recomputed every second from the counters).
        wait.until(lambda d: text_of(d, "rate-in") not in ("–", "", None))
        first = text_of(browser, "rate-in")
        wait.until(lambda d: text_of(d, "rate-in") != first)
        assert float(text_of(browser, "rate-in")) > 0
        assert text_of(browser, "status") == "live"
        browser.save_screenshot(str(tmp_path / "dashboard-desktop.png"))

        # A phone's width: the client list still renders, and the page does not overflow sideways.
        browser.set_window_size(390, 844)
        wait.until(lambda d: d.execute_script("return window.innerWidth") <= 420)
        wait.until(lambda d: "dash-publisher" in cell_texts(d, "clients"))
        table = browser.find_element(By.ID, "clients")
        assert table.is_displayed()
        assert browser.execute_script(
            "return document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page overflows"
        browser.save_screenshot(str(tmp_path / "dashboard-phone.png"))
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, json.dumps(errors)
    finally:
        publisher.stop()
        watcher.disconnect()
