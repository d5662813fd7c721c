"""The docs fixtures themselves: the server serves examples/config and the API token works."""

import requests


def test_the_docs_server_serves_the_chat_app_and_alices_token(belfry):
    env = belfry.env()
    answer = requests.get(f"{env['BELFRY_ADMIN_URL']}/api/v1/apps/chat",
                          headers={"Authorization": f"Bearer {env['BELFRY_API_TOKEN']}"}, timeout=5)
    assert answer.status_code == 200, answer.text
    assert answer.json()["spec"]["key"] == "chat-key"
