"""Group-robot webhooks: WeCom (企业微信) and DingTalk (钉钉), both JSON over HTTPS POST."""
