"""Tamper-evident security audit log 安全审计日志 (网络安全法 Art 21: kept at least 180 days).

``models.AuditEvent`` is the append-only, SHA-256-chained table; ``services`` writes (under a transaction-level
advisory lock, so the chain follows insertion order), verifies and prunes it; ``hooks`` says which signal records
which act, one hook per write, and why (state changes through simple-history; role and finding events, which keep
no history; workflow events only when their service wrote no history row; sign-ins); exports and views of unmasked
personal data are recorded by their views through ``services.audit_export`` / ``audit_personal_data_view``.
"""
