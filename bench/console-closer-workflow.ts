/**
 * bench:console's stand-in for journey runs that have ended: a workflow of the product's type
 * name, started with the search attributes a finished run keeps (JourneyStatus converted, exited
 * or completed), that completes on its first workflow task. Visibility then holds a closed
 * `journeyWorkflow` run (ExecutionStatus Completed) without the bench replaying a journey.
 */
export async function journeyWorkflow(): Promise<void> {
  // Nothing to do: the start set every search attribute the results count.
}
