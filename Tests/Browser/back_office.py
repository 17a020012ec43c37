"""The back office in a real browser: an admin runs the team, the keys and the spreadsheets; bulk changes;
two people editing one coupon. Run by BrowserTests like admin_pages.py, whose helpers it uses, with:
  BASE_URL        http://127.0.0.1:PORT, CouponAdmin at the root
  ADMIN_NAME      an admin account, and ADMIN_PASSWORD its password
  OUTPUT_DIR      where the screenshots go
  COUPON_PREFIX   the ids of the coupons made here start with it
Exits 0 when every check passed; otherwise prints the first failure and exits 1.
"""
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from admin_pages import BASE, OUT, PREFIX, AdminPages, browser, check

ADMIN = os.environ["ADMIN_NAME"]
ADMIN_PASSWORD = os.environ["ADMIN_PASSWORD"]
BULK = 30


class BackOffice(AdminPages):
    def log_in_as(self, name, password):
        self.open("/admin/login")
        self.set_value("name", name)
        self.set_value("password", password)
        self.submit("form")
        check(self.driver.current_url.endswith("/admin/coupons"), f"{name} is logged in: {self.driver.current_url}")

    def log_out(self):
        self.open("/admin/coupons")
        self.follow("form.logout button")

    def fetch(self, path):
        """The bytes of a page as this browser's session gets them, as a download would."""
        cookie = self.driver.get_cookie("coupon_admin_session")["value"]
        request = urllib.request.Request(BASE + path, headers={"Cookie": f"coupon_admin_session={cookie}"})
        with urllib.request.urlopen(request) as answer:
            return answer.read()

    def upload(self, data, file_name):
        path = os.path.join(tempfile.mkdtemp(prefix="upload-"), file_name)
        with open(path, "wb") as file:
            file.write(data)
        self.open("/admin/uploads")
        self.find("#upload-file").send_keys(path)
        self.submit("form[enctype='multipart/form-data']")

    def add_account(self, name, role):
        self.open("/admin/people")
        self.set_value("name", name)
        Select(self.find("#person-role")).select_by_value(role)
        self.submit("form[action$='/admin/people']")
        password = self.find("#new-password").text
        check(len(password) == 19, f"{name}'s password is shown once: {password!r}")
        check(self.driver.find_elements(By.CSS_SELECTOR, f"tr[data-name='{name}']"), f"{name} is listed")
        return password


def csv_rows(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def bulk_coupons_csv(header):
    rows = []
    for number in range(1, BULK + 1):
        values = {"out_coupon_id": f"{PREFIX}-bulk-{number:02}", "name": f"批量券 {number}", "type": "104", "finder_nickname": "店铺直播间",
                  "reduction_yuan": "1", "claim_start": "2030-01-01 10:00", "claim_end": "2030-12-31 22:00", "per_person": "1",
                  "total": "100", "valid_type": "2", "valid_days": "7"}
        rows.append([values.get(column, "") for column in header])
    text = io.StringIO(newline="")
    csv.writer(text, lineterminator="\r\n").writerows([header] + rows)
    return "\ufeff".encode() + text.getvalue().encode()


def main():
    os.makedirs(OUT, exist_ok=True)
    admin_driver, staff_driver = browser(), browser()
    admin, staff = BackOffice(admin_driver), BackOffice(staff_driver)
    state = {}

    def team():
        admin.log_in_as(ADMIN, ADMIN_PASSWORD)
        state["editor"] = admin.add_account(f"{PREFIX}.editor", "editor")
        state["viewer"] = admin.add_account(f"{PREFIX}.viewer", "viewer")
        staff.log_in_as(f"{PREFIX}.editor", state["editor"])
        staff.open("/admin/account")
        staff.set_value("current_password", state["editor"])
        staff.set_value("new_password", "a new password of mine")
        staff.set_value("new_password_again", "a new password of mine")
        staff.submit("form[action$='/admin/account/password']")
        check("done=changed" in staff.driver.current_url, f"the editor changed their password: {staff.find('main').text[:300]}")
        staff.log_out()
        staff.log_in_as(f"{PREFIX}.viewer", state["viewer"])
        staff.open("/admin/people")
        check(not staff.driver.find_elements(By.CSS_SELECTOR, "table.people"), "a viewer cannot reach the people pages")
        check(not staff.driver.find_elements(By.CSS_SELECTOR, "header nav:not(.languages) a[href$='/admin/people']"), "nor is shown the way there")
        staff.log_out()
        staff.log_in_as(f"{PREFIX}.editor", "a new password of mine")

    def keys():
        admin.open("/admin/keys")
        admin.set_value("name", f"{PREFIX}-erp")
        Select(admin.find("#key-role")).select_by_value("viewer")
        admin.submit("form[action$='/admin/keys']")
        key = admin.find("#new-key").text

        def curl():
            return subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-H", f"Authorization: Bearer {key}",
                                   BASE + "/api/v1/coupons"], capture_output=True, text=True, check=True).stdout
        check(curl() == "200", "the key made on the web works with curl")
        admin.open("/admin/keys")
        admin.submit(f"tr[data-name='{PREFIX}-erp'] form")
        check(curl() == "401", "and stops working once revoked on the web")

    def spreadsheets():
        header = csv_rows(admin.fetch("/admin/uploads/template"))[0]
        admin.upload(bulk_coupons_csv(header), "批量.csv")
        check("/admin/uploads/" in admin.driver.current_url, f"the upload is stored: {admin.find('main').text[:600]}")
        check(admin.find("#upload-created").text == str(BULK), f"{BULK} new coupons")

        def all_sent(driver):
            try:
                return driver.find_element(By.CSS_SELECTOR, "#upload-pending").text == "0"
            except Exception:  # noqa: BLE001 - the page reloads itself while coupons wait
                return False
        WebDriverWait(admin.driver, 60, poll_frequency=0.5).until(all_sent)
        check(admin.find("#upload-synced").text == str(BULK), "every uploaded coupon reached WeChat")

        export_path = f"/admin/coupons?q={PREFIX}-bulk&format=csv"
        exported = admin.fetch(export_path)
        check(exported.startswith(b"\xef\xbb\xbf"), "the export starts with a byte-order mark")
        check(len(csv_rows(exported)) == BULK + 1 and "批量券 7" in exported.decode("utf-8-sig"), "the export holds the Chinese names")
        admin.upload(exported, "导出.csv")
        check(admin.find("#upload-unchanged").text == str(BULK) and admin.find("#upload-created").text == "0", "the export uploads back unchanged")
        check(admin.fetch(export_path) == exported, "and exports again byte for byte the same")

        bad = [header]
        for coupon_id, name, fee in [(f"{PREFIX}-good", "好的", "1"), (f"{PREFIX}-bad-1", "", "1"), (f"{PREFIX}-bad-2", "负数", "-5")]:
            values = dict(zip(header, csv_rows(exported)[1]))
            values.update({"out_coupon_id": coupon_id, "name": name, "reduction_yuan": fee})
            bad.append([values[column] for column in header])
        text = io.StringIO(newline="")
        csv.writer(text, lineterminator="\r\n").writerows(bad)
        admin.upload(text.getvalue().encode(), "bad.csv")
        problems = admin.driver.find_elements(By.CSS_SELECTOR, "#upload-problems tbody tr")
        check(len(problems) == 2, f"every error is shown: {[row.text for row in problems]}")
        check([row.find_element(By.CSS_SELECTOR, "td").text for row in problems] == ["3", "4"], "by row")
        admin.open(f"/admin/coupons?q={PREFIX}-good")
        check(not admin.driver.find_elements(By.CSS_SELECTOR, "tr[data-id]"), "and nothing is stored")

    def bulk():
        refused = {f"{PREFIX}-bulk-01", f"{PREFIX}-bulk-02"}
        admin.open(f"/admin/coupons?q={PREFIX}-bulk")
        check(len(admin.driver.find_elements(By.CSS_SELECTOR, "input[name=out_coupon_id]")) == BULK, "every coupon can be chosen")
        for box in admin.driver.find_elements(By.CSS_SELECTOR, "input[name=out_coupon_id]"):
            if box.get_attribute("value") not in refused:
                box.click()
        admin.follow("#bulk-activate")
        check(admin.find("#bulk-done").text == str(BULK - 2), f"28 activated on WeChat: {admin.find('main').text[:400]}")

        admin.open(f"/admin/coupons?q={PREFIX}-bulk")
        admin.find("#bulk-all").click()
        old_page = admin.find("html")
        admin.find("#bulk-void").click()
        WebDriverWait(admin.driver, 10).until(expected_conditions.alert_is_present()).accept()
        admin.wait_for_page(old_page)
        check(admin.find("#bulk-done").text == str(BULK - 2) and admin.find("#bulk-refused").text == "2",
              f"a bulk void of 30 with 2 refused by the rules: {admin.find('main').text[:600]}")
        for coupon_id in refused:
            row = admin.find(f"tr[data-id='{coupon_id}']")
            check(row.get_attribute("data-outcome") == "refused" and row.find_elements(By.CSS_SELECTOR, "td")[2].text, f"{coupon_id} is refused, and says why")

    def two_editors():
        coupon_id = f"{PREFIX}-bulk-01"
        admin.open(f"/admin/coupons/{coupon_id}/edit")
        staff.open(f"/admin/coupons/{coupon_id}/edit")
        staff.set_value("name", "编辑甲的名字")
        staff.submit("form.coupon-form")
        check("done=edited" in staff.driver.current_url, "the first save goes through")
        admin.set_value("name", "管理员的名字")
        admin.submit("form.coupon-form")
        conflict = admin.find("#conflict")
        check("编辑甲的名字" in conflict.find_element(By.CSS_SELECTOR, ".theirs").text, "the second is shown the saved version")
        check("管理员的名字" in conflict.find_element(By.CSS_SELECTOR, ".yours").text, "beside their own")
        admin.open(f"/admin/coupons/{coupon_id}")
        check(admin.heading() == "编辑甲的名字", "and nothing was overwritten")

    def screenshots():
        for label, (width, height) in {"phone": (360, 800), "desktop": (1280, 900)}.items():
            admin.driver.set_window_size(width, height)
            for page, path in [("people", "/admin/people"), ("keys", "/admin/keys"), ("audit", "/admin/audit"), ("account", "/admin/account"),
                               ("uploads", "/admin/uploads"), ("failures", "/admin/failures"), ("bulk-list", f"/admin/coupons?q={PREFIX}-bulk")]:
                admin.open(path)
                overflow = admin.driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                check(overflow <= 0, f"{page} at {width} px is {overflow} px wider than the screen")
                admin.driver.save_screenshot(os.path.join(OUT, f"{page}-{label}.png"))

    steps = [team, keys, spreadsheets, bulk, two_editors, screenshots, admin.no_policy_violations]
    try:
        for step in steps:
            started = time.monotonic()
            step()
            print(f"ok {step.__name__} ({time.monotonic() - started:.1f} s)")
    except Exception as error:  # noqa: BLE001 - any failure ends the run with its step named
        admin_driver.save_screenshot(os.path.join(OUT, "back-office-failure.png"))
        staff_driver.save_screenshot(os.path.join(OUT, "back-office-failure-staff.png"))
        print(f"FAILED {step.__name__}: {error}")
        return 1
    finally:
        admin_driver.quit()
        staff_driver.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
