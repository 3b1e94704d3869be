"""One page object per AINAS screen, named after the screen (spec: `docs/ainas-portal.md`)."""

from __future__ import annotations

from flows.decision import CertificateRow
from flows.pages.cert_detail import CertDetailPage
from flows.pages.cert_register import CertRegisterPage
from flows.pages.cert_update import CertUpdatePage
from flows.pages.cert_update_complete import CertUpdateCompletePage
from flows.pages.cert_update_confirm import CertUpdateConfirmPage
from flows.pages.home import HomePage
from flows.pages.login import LoginPage
from flows.pages.org_detail import OrgDetailPage
from flows.pages.org_search import OrgSearchPage

__all__ = [
    "CertDetailPage",
    "CertRegisterPage",
    "CertUpdateCompletePage",
    "CertUpdateConfirmPage",
    "CertUpdatePage",
    "CertificateRow",
    "HomePage",
    "LoginPage",
    "OrgDetailPage",
    "OrgSearchPage",
]
