from django.contrib import admin

from fanarchive.api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    # Tokens are issued by `fanarchive api-token create`, which shows the value once;
    # the admin can only look and revoke.
    list_display = ["pk", "user", "name", "created", "last_used", "revoked"]
    readonly_fields = ["user", "name", "created", "last_used"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False
