"""One page object per AINAS screen, named after the screen (spec: `ainas.md`)."""

from __future__ import annotations

from flows.pages.cert_detail import CertDetailPage
from flows.pages.cert_register import CertRegisterPage
from flows.pages.cert_update import CertUpdatePage
from flows.pages.home import HomePage
from flows.pages.login import LoginPage
from flows.pages.org_detail import CertificateRow, OrgDetailPage
from flows.pages.org_search import OrgSearchPage

__all__ = [
    "CertDetailPage",
    "CertRegisterPage",
    "CertUpdatePage",
    "CertificateRow",
    "HomePage",
    "LoginPage",
    "OrgDetailPage",
    "OrgSearchPage",
]
