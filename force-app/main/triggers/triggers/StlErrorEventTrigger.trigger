trigger StlErrorEventTrigger on StlErrorEvent__e(after insert) {
  StlErrorLogger.persist(Trigger.new);
}
