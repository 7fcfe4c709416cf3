from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The archive's account. Custom from the first migration so accounts can grow
    (pseuds, reading preferences, claimed creators) without swapping the user model."""
