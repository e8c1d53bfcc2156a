trigger StlEventTrigger on Event(
  before insert,
  after insert,
  before update,
  after update,
  before delete,
  after delete,
  after undelete
) {
  StlTriggerDispatcher.run(Schema.Event.SObjectType);
}
