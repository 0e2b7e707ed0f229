using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.Scripting.Modules;

/// <summary>JSON of the domain modules: camelCase, nulls written, source-generated.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(Calendar))]
[JsonSerializable(typeof(CalendarEvent))]
[JsonSerializable(typeof(Flow))]
[JsonSerializable(typeof(Contract))]
[JsonSerializable(typeof(IReadOnlyList<Calendar>))]
[JsonSerializable(typeof(IReadOnlyList<CalendarEvent>))]
[JsonSerializable(typeof(IReadOnlyList<Flow>))]
[JsonSerializable(typeof(IReadOnlyList<Contract>))]
[JsonSerializable(typeof(CalendarInput))]
[JsonSerializable(typeof(EventInput))]
[JsonSerializable(typeof(EventChanges))]
[JsonSerializable(typeof(RangeInput))]
[JsonSerializable(typeof(FlowInput))]
[JsonSerializable(typeof(StatusFilter))]
[JsonSerializable(typeof(ContractInput))]
[JsonSerializable(typeof(RevisionInput))]
[JsonSerializable(typeof(bool))]
internal sealed partial class ModuleJson : JsonSerializerContext;
