from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "员工账户安全"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.services import login_failures_reset

        def reset_account_failures(sender: object, request: object, user: object, **kwargs: object) -> None:
            # The admin login view is Django's; its success signal is the one place a login can be seen.
            login_failures_reset(username=user.get_username())

        user_logged_in.connect(reset_account_failures, dispatch_uid="accounts.reset_account_failures", weak=False)
