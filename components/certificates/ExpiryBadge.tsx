import { Badge } from "@/components/ui/badge";
import type { CertificateSummary } from "@/lib/certs/certificate-store";

export function ExpiryBadge({
  certificate,
}: {
  certificate: Pick<CertificateSummary, "expiryStatus" | "daysUntilExpiry" | "notAfter">;
}) {
  const date = certificate.notAfter.slice(0, 10);
  switch (certificate.expiryStatus) {
    case "expired":
      return <Badge tone="danger">expired {date}</Badge>;
    case "expiring_soon":
      return (
        <Badge tone="warn">
          expires in {certificate.daysUntilExpiry} d ({date})
        </Badge>
      );
    case "not_yet_valid":
      return <Badge tone="warn">not valid yet</Badge>;
    default:
      return <Badge tone="ok">valid until {date}</Badge>;
  }
}
