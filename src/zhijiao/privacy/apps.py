from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "zhijiao.privacy"
    label = "privacy"
    verbose_name = "未成年人个人信息保护"

    def ready(self) -> None:
        # Models are loaded only now, so the rule's modules are imported here (Django's way for receivers).
        from zhijiao.oidc.guardian import GuardianRule, guardian_rule_register
        from zhijiao.privacy.selectors import apps_awaiting_guardian, minor_consent_missing

        guardian_rule_register(GuardianRule(missing=minor_consent_missing, awaiting=apps_awaiting_guardian))
