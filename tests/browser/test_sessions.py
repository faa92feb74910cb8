"""In a real browser: a token needs the password again; "sign out my other sessions" and an admin's
"sign out everywhere" end other browsers' sessions at their next click."""

from playwright.sync_api import expect


def test_token_with_password_then_signing_out_the_other_browser(open_as, live_server):
    here = open_as("leader")
    laptop = open_as("leader")
    here.goto(f"{live_server.url}/profile")
    expect(here.locator("#sessions")).to_contain_text("本浏览器")
    tokens = here.locator("#api-tokens")
    tokens.get_by_label("令牌用途").fill("周报脚本")
    tokens.get_by_label("您的密码").fill("not-my-password")
    tokens.get_by_role("button", name="创建令牌").click()
    expect(here.locator("#api-tokens .field-error")).to_contain_text("密码不正确")
    tokens = here.locator("#api-tokens")
    tokens.get_by_label("您的密码").fill("demo")
    tokens.get_by_role("button", name="创建令牌").click()
    expect(here.locator("#new-token")).to_contain_text("dbp_")

    here.get_by_role("button", name="退出我的其他会话").click()
    expect(here.locator("#sessions")).to_contain_text("已退出其他会话：1 个")
    laptop.goto(f"{live_server.url}/items")
    expect(laptop).to_have_url(f"{live_server.url}/login?next=/items")
    here.goto(f"{live_server.url}/items")
    expect(here).to_have_url(f"{live_server.url}/items")


def test_an_admin_signs_a_handler_out_everywhere(open_as, live_server):
    handler = open_as("handler")
    admin = open_as("admin")
    admin.goto(f"{live_server.url}/admin/users?q=handler")
    admin.on("dialog", lambda dialog: dialog.accept())
    row = admin.locator("tr", has_text="handler").first
    row.get_by_role("button", name="全部退出登录").click()
    expect(admin.locator("[role=status]").first).to_contain_text("结束 1 个会话")
    handler.goto(f"{live_server.url}/notifications")
    expect(handler).to_have_url(f"{live_server.url}/login?next=/notifications")
