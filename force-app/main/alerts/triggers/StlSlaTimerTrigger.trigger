trigger StlSlaTimerTrigger on SlaTimer__c(before insert, before update) {
  StlTimerPlanner.stampNextFire(Trigger.new);
}
