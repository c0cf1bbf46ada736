from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class LoginForm(AuthenticationForm):
    """Django's login form, which also refuses a username longer than any
    member's (150 characters) as a field error. Django's own only sets the
    input's maxlength, and lets a longer one through to authentication,
    where django-axes' record of the attempt cannot hold it (a 500 on
    PostgreSQL)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))
