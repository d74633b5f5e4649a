"""Tamper-evident security audit log 安全审计日志 (网络安全法 Art 21: kept at least 180 days).

``models.AuditEvent`` is the append-only, SHA-256-chained table; ``services`` writes, seals, verifies and prunes
it. A writer inserts its row unsealed in its own transaction and takes no lock; after the commit ``audit_seal``
chains committed rows in a short transaction of its own under the chain lock (commit order, not insertion order);
the beat jobs in ``tasks`` seal what an interrupted process left and verify the chain daily, logging its tail.
``hooks`` says which signal records which act, one hook per write, and why (state changes through simple-history;
role and finding events, which keep no history; workflow events only when their service wrote no history row;
sign-ins); exports and views of unmasked personal data are recorded by their views through
``services.audit_export`` / ``audit_personal_data_view``.
"""
