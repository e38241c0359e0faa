import { PageHeader } from "../components/ui";

export function TestingPage() {
  return <PageHeader title="TestingPage" />;
}
