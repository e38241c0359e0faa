import { PageHeader } from "../components/ui";

export function OriginsPage() {
  return <PageHeader title="OriginsPage" />;
}
