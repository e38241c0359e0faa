import { PageHeader } from "../components/ui";

export function AppsPage() {
  return <PageHeader title="AppsPage" />;
}
