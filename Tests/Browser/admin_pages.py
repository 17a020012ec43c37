"""The admin pages in a real browser: Debian's chromium and chromium-driver, driven by Selenium.

Run by BrowserTests (Tests/IntegrationTests) against a live stack it started: nginx, the worker and the
WeChat sandbox. Settings come from the environment:
  BASE_URL        http://127.0.0.1:PORT, CouponAdmin at the root
  STAFF_NAME      an editor account, and STAFF_PASSWORD its password
  OUTPUT_DIR      where the screenshots go
  COUPON_PREFIX   the ids of the coupons made here start with it
Exits 0 when every check passed; otherwise prints the first failure and exits 1.
"""
import os
import sys
import tempfile
import time

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, SessionNotCreatedException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["BASE_URL"]
NAME = os.environ["STAFF_NAME"]
PASSWORD = os.environ["STAFF_PASSWORD"]
OUT = os.environ["OUTPUT_DIR"]
PREFIX = os.environ["COUPON_PREFIX"]

# What each type's form needs, as staff type it: yuan, 折, product ids one per line or comma separated.
OFFERS = {
    1: {"product_ids": "sku-1\nsku-2", "product_count": "3", "discount_zhe": "9.8"},
    2: {"product_ids": "sku-1, sku-2", "threshold_yuan": "100", "reduction_yuan": "20"},
    3: {"product_ids": "sku-3", "discount_zhe": "8.5"},
    4: {"product_ids": "sku-4", "reduction_yuan": "9.90"},
    5: {"product_ids": "sku-5", "tradein_product_id": "gift-1", "tradein_price_yuan": "0.1"},
    6: {"buy_product_id": "sku-6", "buy_count": "2", "get_product_id": "gift-2", "get_count": "1"},
    101: {"product_count": "2", "discount_zhe": "9"},
    102: {"threshold_yuan": "0.30", "reduction_yuan": "0.2"},
    103: {"discount_zhe": "7.5"},
    104: {"reduction_yuan": "5"},
}
ALL_OFFER_FIELDS = sorted({field for fields in OFFERS.values() for field in fields})


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def browser(attempt=1):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    # The pipe instead of a debugging port: chromedriver no longer waits for a port file Chromium writes.
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                     "--remote-debugging-pipe", f"--user-data-dir={profile}"):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Chromium's own messages go into the driver's log, kept beside the screenshots.
    service = Service("/usr/bin/chromedriver", service_args=["--enable-chrome-logs"],
                      log_path=os.path.join(OUT, f"chromedriver-{attempt}.log"))
    try:
        return webdriver.Chrome(service=service, options=options)
    except SessionNotCreatedException:
        # Chromium has exited while starting on a machine busy with the other tests; the pages were never
        # reached. Up to three starts, a little apart; then the run fails, with every driver's log kept.
        if attempt >= 3:
            raise
        print(f"chromium did not start (attempt {attempt}); starting it again")
        time.sleep(2 * attempt)
        return browser(attempt + 1)


class AdminPages:
    def __init__(self, driver):
        self.driver = driver

    def open(self, path):
        self.driver.get(BASE + path)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def heading(self):
        return self.find("h1").text

    def set_value(self, field, value):
        element = self.find(f"[name={field}]")
        if element.get_attribute("type") == "datetime-local":
            # The browser's own date picker; its value is what it would hold once picked.
            self.driver.execute_script("arguments[0].value = arguments[1]", element, value)
        else:
            element.clear()
            element.send_keys(value)

    def follow(self, css):
        """Clicks what leads to another page and waits for that page: a click returns before it loads."""
        old_page = self.find("html")
        self.find(css).click()
        self.wait_for_page(old_page)

    def submit(self, form_css):
        self.follow(form_css + " button[type=submit]")

    def log_in(self):
        self.open("/admin/coupons")
        check("/admin/login?next=" in self.driver.current_url, f"a stranger is sent to the login page, not {self.driver.current_url}")
        check(self.heading() == "登录", f"the login page is in Chinese for a Chinese browser: {self.heading()!r}")
        self.set_value("name", NAME)
        self.set_value("password", PASSWORD)
        self.submit("form")
        check(self.driver.current_url.endswith("/admin/coupons"), f"after the login, back to the list: {self.driver.current_url}")

    def fill_coupon(self, type_number, coupon_id, name, offer):
        self.open("/admin/new-coupon")
        self.find(f"#type-{type_number}").click()
        for field in ALL_OFFER_FIELDS:
            shown = self.find(f"[name={field}]").is_displayed()
            check(shown == (field in offer), f"type {type_number}: {field} is {'shown' if shown else 'hidden'}")
        self.set_value("out_coupon_id", coupon_id)
        self.set_value("name", name)
        self.set_value("finder_nickname", "店铺直播间")
        for field, value in offer.items():
            self.set_value(field, value)
        self.set_value("claim_start", "2026-12-01T10:00")
        self.set_value("claim_end", "2026-12-31T22:00")
        self.find("#valid_type-2").click()
        self.set_value("valid_days", "7")

    def create_each_type(self):
        for type_number, offer in OFFERS.items():
            coupon_id = f"{PREFIX}-{type_number}"
            self.fill_coupon(type_number, coupon_id, f"浏览器券 {type_number}", offer)
            self.submit("form.coupon-form")
            check(f"/admin/coupons/{coupon_id}?done=saved" in self.driver.current_url,
                  f"type {type_number}: to the coupon's page, not {self.driver.current_url}: {self.find('main').text[:500]}")
            check(self.find(".notice").text == "优惠券已保存。", f"type {type_number}: the confirmation")
            check(self.find("#sync-state").text == "已同步到微信", f"type {type_number}: synced, not {self.find('#sync-state').text}")
        self.open("/admin/coupons")
        for type_number in OFFERS:
            row = self.find(f"tr[data-id='{PREFIX}-{type_number}']")
            check("已同步到微信" in row.text, f"type {type_number} on the list: {row.text}")
        check("满100元减20元" in self.find("main").text and "9.8折" in self.find("main").text, "offers in words on the list")

    def wait_for_page(self, old_page):
        def gone(_):
            # Chromium answers a question about an element of a page it has left with "stale element" or,
            # while the next page is coming in, "Node with given id does not belong to the document".
            try:
                old_page.is_enabled()
                return False
            except WebDriverException:
                return True
        WebDriverWait(self.driver, 30).until(gone)
        WebDriverWait(self.driver, 30).until(
            lambda driver: driver.execute_script("return document.readyState") == "complete")

    def change_a_coupon(self):
        coupon_id = f"{PREFIX}-104"
        self.open(f"/admin/coupons/{coupon_id}")
        self.follow("#edit")
        check(self.heading() == "编辑优惠券", f"the edit form: {self.heading()!r}")
        check(self.find("#out_coupon_id").get_attribute("readonly") is not None, "the id cannot be changed")
        check(self.find("#reduction_yuan").get_attribute("value") == "5", "the form shows the stored amount in yuan")
        check(not self.find("[name=product_ids]").is_displayed(), "only the fields of the coupon's type are shown")
        self.set_value("reduction_yuan", "6")
        # Claimable now, whenever the test runs, so that a user can be given it below.
        self.set_value("claim_start", "2026-11-01T10:00")
        self.set_value("claim_end", "2036-11-01T10:00")
        self.submit("form.coupon-form")
        check(f"/admin/coupons/{coupon_id}?done=edited" in self.driver.current_url, f"back on the coupon's page: {self.driver.current_url}")
        check("直减6元" in self.find("main").text and self.find("#sync-state").text == "已同步到微信", "the edit is shown and sent")

        self.follow("#to-status-2")
        check(self.find("#wechat-status").text == "生效", f"activated on WeChat: {self.find('#wechat-status').text!r}")
        check(not self.driver.find_elements(By.CSS_SELECTOR, "#edit"), "an active coupon cannot be edited")
        self.set_value("issued_num", "100")
        self.set_value("receive_num", "0")
        self.submit("#stock")
        check("已发放 100，已领取 0" in self.find("main").text, "the stock is shown")

        self.open("/admin/user-coupons?openid=o-browser")
        self.find("#out_coupon_id").clear()
        self.find("#out_coupon_id").send_keys(coupon_id)
        self.find("#openid").clear()
        self.find("#openid").send_keys("o-browser")
        self.submit("#claim")
        check("done=claimed" in self.driver.current_url, f"the claim is made: {self.driver.current_url}: {self.find('main').text[:600]}")
        check("已同步到微信" in self.find("#stored-user-coupons").text, "the claim is on WeChat")
        check(coupon_id in self.find("#wechat-user-coupons").text, "and in WeChat's list for the user")

        # Voiding asks first; saying no changes nothing.
        self.open(f"/admin/coupons/{coupon_id}")
        self.find("#to-status-4").click()
        WebDriverWait(self.driver, 10).until(expected_conditions.alert_is_present()).dismiss()
        check(self.find("#wechat-status").text == "生效", "a dismissed void does nothing")
        old_page = self.find("html")
        self.find("#to-status-4").click()
        WebDriverWait(self.driver, 10).until(expected_conditions.alert_is_present()).accept()
        self.wait_for_page(old_page)
        check(self.find("#wechat-status").text == "已作废", f"voided on WeChat: {self.find('#wechat-status').text!r}")

    def import_from_wechat(self):
        self.open("/admin/coupons")
        self.submit("#import")
        check("/admin/imports/" in self.driver.current_url, f"the import's page: {self.driver.current_url}")

        def finished(driver):
            try:
                return driver.find_element(By.CSS_SELECTOR, "#import-state").get_attribute("data-state") != "pending"
            except Exception:  # noqa: BLE001 - the page reloads itself while it runs
                return False
        WebDriverWait(self.driver, 60, poll_frequency=0.5).until(finished)
        check(self.find("#import-state").text == "已完成", f"the import ends: {self.find('main').text[:300]}")
        check(self.find("#import-created").text == "0", "every coupon on WeChat was made here, so none is new")

    def bad_form_keeps_values(self):
        self.fill_coupon(2, "bad id!", "坏表单", {"product_ids": "sku-1", "threshold_yuan": "100", "reduction_yuan": "12.345"})
        self.submit("form.coupon-form")
        check(self.find("#error-summary").is_displayed(), "the form says it was not saved")
        for field, value, message in [
            ("reduction_yuan", "12.345", "请输入以元为单位、最多两位小数的金额，例如 12.50。"),
            ("out_coupon_id", "bad id!", "只能包含字母、数字、_ 和 -。"),
        ]:
            check(self.find(f"#{field}").get_attribute("value") == value, f"{field} keeps {value!r}")
            error = self.find(f"#{field}-error")
            check(error.is_displayed() and error.text == message, f"{field}: {error.text!r}")
            same_field = self.driver.execute_script(
                "return arguments[0].closest('.field') === arguments[1].closest('.field')", error, self.find(f"#{field}"))
            check(same_field, f"{field}'s message is beside it")
        check(self.find("#name").get_attribute("value") == "坏表单", "the name is kept")
        check(self.find("#type-2").is_selected(), "the type is kept")

    def markup_is_text(self):
        name = "<img src=x onerror=alert(1)>"
        self.fill_coupon(104, f"{PREFIX}-markup", name, OFFERS[104])
        self.submit("form.coupon-form")
        check(self.heading() == name, f"the name shows as text: {self.heading()!r}")
        check(not self.driver.find_elements(By.CSS_SELECTOR, "main img"), "no image made from the name")
        try:
            self.driver.switch_to.alert
            raise AssertionError("the name ran a script")
        except NoAlertPresentException:
            pass
        self.open("/admin/coupons")
        check(name in self.find(f"tr[data-id='{PREFIX}-markup']").text, "the list shows it as text")

    def switch_language(self):
        self.open("/admin/coupons")
        self.follow(".languages a[lang=en]")
        check(self.heading() == "Coupons", f"switched to English: {self.heading()!r}")
        self.open(f"/admin/coupons/{PREFIX}-2")
        check("¥20 off orders of ¥100 or more" in self.find("main").text, "the coupon page in English")
        check(self.find("#sync-state").text == "On WeChat", "sync state in English")
        self.follow(".languages a[lang=zh-CN]")
        check(self.heading() == f"浏览器券 2", "and back to Chinese, on the same page")

    def screenshots(self):
        for label, (width, height) in {"phone": (360, 800), "desktop": (1280, 900)}.items():
            self.driver.set_window_size(width, height)
            for page, path in [("list", "/admin/coupons"), ("form", "/admin/new-coupon"), ("coupon", f"/admin/coupons/{PREFIX}-2"),
                               ("active-coupon", f"/admin/coupons/{PREFIX}-104"), ("edit", f"/admin/coupons/{PREFIX}-103/edit"),
                               ("user-coupons", "/admin/user-coupons?openid=o-browser")]:
                self.open(path)
                if page == "form":
                    self.find("#type-2").click()
                overflow = self.driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                check(overflow <= 0, f"{page} at {width} px is {overflow} px wider than the screen")
                self.driver.save_screenshot(os.path.join(OUT, f"{page}-{label}.png"))

    def no_policy_violations(self):
        # Answers such as the bad form's 422 are logged too; only what the page itself broke counts here.
        problems = [entry["message"] for entry in self.driver.get_log("browser")
                    if "Content Security Policy" in entry["message"] or "Refused to" in entry["message"]
                    or "Uncaught" in entry["message"]]
        check(not problems, f"the browser console reports: {problems}")


def main():
    os.makedirs(OUT, exist_ok=True)
    driver = browser()
    pages = AdminPages(driver)
    steps = [pages.log_in, pages.create_each_type, pages.change_a_coupon, pages.import_from_wechat, pages.bad_form_keeps_values, pages.markup_is_text,
             pages.switch_language, pages.screenshots, pages.no_policy_violations]
    try:
        for step in steps:
            step()
            print(f"ok {step.__name__}")
    except Exception as error:  # noqa: BLE001 - any failure ends the run with its step named
        driver.save_screenshot(os.path.join(OUT, "failure.png"))
        print(f"FAILED {step.__name__}: {error}")
        return 1
    finally:
        driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
