"""The blameless check against a labelled corpus: precision and recall both above 0.9."""

from __future__ import annotations

from warroom.domain.blameless import check_text

NAMES = {"bob", "alice", "carol@example.com", "carol", "Dave Kim", "Dave", "priya"}
"""People the store knows (logins, an address, a configured display name and its first word)."""

BLAMING = [
    "Human error: Bob forgot to renew the certificate.",
    "Bob forgot the certificate.",
    "Bob did not renew the certificate before it expired.",
    "Bob didn't renew the TLS certificate.",
    "The intern didn't check the migration before running it.",
    "The on-call engineer ignored the disk alert for two hours.",
    "It was Bob's mistake.",
    "This was the on-call's fault.",
    "An oversight by Alice let the flag reach production.",
    "The outage was caused by Alice.",
    "Carol never tested the rollback.",
    "The engineer should have checked the dashboard.",
    "Priya skipped the canary stage.",
    "Dave overlooked the warning in the deploy log.",
    "Alice carelessly pushed the wrong config.",
    "The developer made a mistake in the firewall rule.",
    "Operator error during the failover.",
    "A careless change to the load balancer broke routing.",
    "The DBA was negligent with the backup schedule.",
    "Someone forgot to update the DNS record.",
    "He failed to escalate the ticket.",
    "She should've waited for the review.",
    "The new hire ran the wrong script against production.",
    "The reviewer missed the typo in the config.",
    "The root cause is that Bob deployed on Friday.",
    "Because of Dave the migration ran twice.",
    "Alice's oversight left the port open.",
    "The release manager neglected to tag the build.",
    "carol@example.com did not follow the runbook.",
    "The contractor accidentally deleted the bucket.",
    "Sloppy review let the bug through.",
    "The outage was due to Priya rushing the deploy.",
    "Bob is to blame for the expired certificate.",
    "The support engineer dropped the ball on the customer ticket.",
    "The incident happened because the on-call was not paying attention.",
    "Dave Kim messed up the rollout order.",
    "An engineer's error in the terraform plan removed the subnet.",
    "The admin forgot to rotate the key.",
    "The team lead could have prevented this by reviewing the change.",
    "Mistake by Bob in the cron expression.",
    "The SRE botched the database upgrade.",
    "Alice broke the build and left for the weekend.",
    "The committer mistakenly merged into main.",
    "It is Carol's own fault the alert was silenced.",
    "The on call didn't page the database team.",
]

BLAMELESS = [
    "The certificate expired because renewal was a manual step with no reminder.",
    "The platform team did not renew the certificate: renewal was not automated.",
    "The deploy pipeline did not check the migration against a replica.",
    "The disk alert was routed to a channel nobody watched overnight.",
    "The health check failed to detect the stuck worker.",
    "The migration ran without a dry run because the tool has no dry-run mode.",
    "The runbook did not include the step to drain the queue.",
    "The load balancer config was changed without review.",
    "Monitoring did not alert on certificate expiry.",
    "The database failed over to the replica in 40 seconds.",
    "The change was deployed on Friday, outside the release window.",
    "Engineers did not have access to the production dashboards.",
    "The feature flag reached production because flags are not scoped per environment.",
    "The rollback script had not been tested since the schema change.",
    "The canary stage was skipped by the pipeline when the config file was missing.",
    "The ops team restored service by restarting the gateway.",
    "The firewall rule allowed traffic from all ranges.",
    "Alerts fired but were grouped with 200 low-priority alerts.",
    "The backup job stopped running after the scheduler upgrade.",
    "DNS records are updated by hand; the update was not applied to the secondary zone.",
    "The cron expression ran the job every minute instead of every hour.",
    "Key rotation has no owner and no automation.",
    "The support team escalated the ticket within 10 minutes.",
    "The build broke because a dependency published a breaking minor release.",
    "The terraform plan removed the subnet because the module default changed.",
    "We will add a check that refuses migrations without a dry run.",
    "Add an alert 30 days before any certificate expires.",
    "The review checklist does not cover firewall changes.",
    "Customers could not log in for 47 minutes.",
    "The on-call rotation had a gap between two schedules.",
    "The database team was paged and joined within five minutes.",
    "The deploy tool allows running scripts against production without confirmation.",
    "Rollout order was not enforced by the deploy tool.",
    "The incident commander opened the war room at 14:02.",
    "The queue consumer did not retry after the broker restarted.",
    "Traffic was shifted to the secondary region.",
    "The bucket was deleted by a lifecycle rule that matched too broadly.",
    "The config validator missed the typo because it only checks syntax.",
    "The merge queue merged into main without running the full test suite.",
    "The alert was silenced by an expired maintenance window that never ended.",
    "The cache never warmed up after the restart.",
    "Staging did not mirror production's certificate setup.",
    "The customer's integration retried aggressively and amplified the load.",
    "A missing index made the query scan the whole table.",
    "The pager integration did not send SMS to the secondary on-call.",
]


def _flagged(sentence: str) -> bool:
    return bool(check_text("root_cause", sentence, NAMES))


def test_corpus_precision_and_recall_above_ninety_percent() -> None:
    assert len(BLAMING) >= 40 and len(BLAMELESS) >= 40
    true_pos = sum(_flagged(s) for s in BLAMING)
    false_pos = sum(_flagged(s) for s in BLAMELESS)
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / len(BLAMING)
    print(f"\nblameless check: {len(BLAMING)} blaming, {len(BLAMELESS)} blameless sentences; "
          f"precision {precision:.3f}, recall {recall:.3f}")
    missed = [s for s in BLAMING if not _flagged(s)]
    wrong = [s for s in BLAMELESS if _flagged(s)]
    assert precision > 0.9, wrong
    assert recall > 0.9, missed


def test_finding_names_the_phrase() -> None:
    [finding] = check_text("whys[2]", "Bob forgot the certificate.", NAMES)
    assert finding.field == "whys[2]"
    assert finding.phrase == "Bob forgot"
