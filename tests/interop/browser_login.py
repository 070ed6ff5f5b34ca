"""A real browser — headless Chromium driven by Selenium — opens the authorize page of
`authcode serve`, signs in, consents, and is redirected to `authcode login`'s loopback
listener.

Usage: browser_login.py AUTHORIZE_URL
Prints "N passed, 0 failed" and exits 0 on success.
"""
import sys

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

url = sys.argv[1]
options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]:
    options.add_argument(argument)
driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path="/usr/bin/chromedriver"))
checks = 0
try:
    driver.get(url)
    WebDriverWait(driver, 20).until(expected_conditions.presence_of_element_located((By.ID, "username")))
    assert "Sign in" in driver.page_source
    checks += 1
    driver.find_element(By.ID, "username").send_keys("erin")
    driver.find_element(By.ID, "password").send_keys("irrelevant")
    driver.find_element(By.ID, "allow").click()
    WebDriverWait(driver, 20).until(lambda d: "Signed in" in d.page_source)
    checks += 1
    assert driver.current_url.startswith("http://127.0.0.1:"), driver.current_url
    checks += 1
finally:
    driver.quit()
print(f"{checks} passed, 0 failed")
